import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import type { ScenarioReport } from '../../test/reliability/report.ts';

/**
 * What every chaos scenario shares (scripts/chaos.ts runs them): `--seconds N` (default 30), a
 * PostgreSQL database of its own on the server of TEST_DATABASE_URL (default the local one), copied
 * from the migrated template and dropped at the end, and the convention for its output: one figure
 * a line, `<name>: <figure> <value>`, the last line `<name>: lost <count>`; exit status 0 when
 * nothing was lost, 1 otherwise.
 */
export interface ChaosRun {
  seconds: number;
  database: TestDatabase;
}

const defaultSeconds = 30;
const defaultServer = 'postgres://postgres@127.0.0.1:5432/postgres';
/** Load and faults are aimed at this machine only: a scenario ends sessions on its database's server. */
const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function secondsOf(argv: readonly string[]): number {
  const at = argv.indexOf('--seconds');
  if (at < 0) return defaultSeconds;
  const seconds = Number(argv[at + 1]);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--seconds wants a positive number, not ${argv[at + 1] ?? 'nothing'}`);
  return seconds;
}

export async function runChaos(name: string, scenario: (run: ChaosRun) => Promise<ScenarioReport[]>): Promise<never> {
  let lost: number | undefined;
  let database: TestDatabase | undefined;
  try {
    const seconds = secondsOf(process.argv.slice(2));
    process.env.TEST_DATABASE_URL ??= defaultServer;
    const server = new URL(process.env.TEST_DATABASE_URL);
    if (!loopback.has(server.hostname)) throw new Error(`the database server must be on this machine (127.0.0.1), not ${server.hostname}`);
    database = await createTestDatabase();
    const reports = await scenario({ seconds, database });
    for (const report of reports) for (const line of report.lines().slice(0, -1)) process.stdout.write(`${line}\n`);
    lost = reports.reduce((sum, report) => sum + report.lost, 0);
  } catch (error) {
    process.stdout.write(`${name}: the scenario failed: ${(error as Error).stack ?? String(error)}\n`);
  } finally {
    await database?.drop().catch((error: unknown) => process.stdout.write(`${name}: dropping the database failed: ${String(error)}\n`));
  }
  process.stdout.write(`${name}: lost ${lost ?? 'unknown (the scenario did not finish)'}\n`);
  process.exit(lost === 0 ? 0 : 1);
}
