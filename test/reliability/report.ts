/**
 * What a reliability scenario measured, one figure a line, and what it lost: the test asserts the
 * loss is zero and names the problems; `npm run chaos` prints the figures (chaos/support/run.ts).
 */
export class ScenarioReport {
  readonly name: string;
  readonly figures: { label: string; value: string }[] = [];
  /** Each loss, named, for the failure message; the first few of a kind are kept. */
  readonly problems: string[] = [];
  #lost = 0;

  constructor(name: string) {
    this.name = name;
  }

  figure(label: string, value: string | number | bigint): void {
    this.figures.push({ label, value: String(value) });
  }

  /** `count` requests, transfers or records lost (unanswered, answered wrongly, written in part). */
  lose(count: number, what: string): void {
    if (count <= 0) return;
    this.#lost += count;
    if (this.problems.length < problemsKeptMax) this.problems.push(`${count} × ${what}`);
  }

  get lost(): number {
    return this.#lost;
  }

  lines(): string[] {
    return [...this.figures.map(({ label, value }) => `${this.name}: ${label} ${value}`), ...this.problems.map((p) => `${this.name}: problem ${p}`), `${this.name}: lost ${this.#lost}`];
  }
}

const problemsKeptMax = 30;

/** Milliseconds as the figures give them. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
