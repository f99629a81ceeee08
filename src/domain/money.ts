/**
 * Yen amounts are bigint (house rule 1). These are the only conversions, at the edges: a form's text
 * to yen, and yen to the text a page or a file shows.
 */

/** Ten digits: the width of the amount field of a Zengin transfer record. */
export const yenAmountMax = 9_999_999_999n;

export type YenInputProblem = 'empty' | 'not_a_number' | 'fraction' | 'not_positive' | 'too_large';
export type YenInput = { ok: true; yen: bigint } | { ok: false; problem: YenInputProblem };

/**
 * An amount as people type it, in the half-width form the rules below read: full-width digits and
 * commas (NFKC) and a trailing 円 are how amounts are written in Japan, so they
 * are taken, not refused. Every amount field (transfers, limits, bulk files) reads through here.
 */
export function normaliseYenText(text: string): string {
  return text
    .normalize('NFKC')
    // Minus signs people type for a negative number: NFKC leaves U+2212 and the long vowel mark.
    .replace(/[\u2212\u30fc\uff70]/gu, '-')
    .trim()
    .replace(/\s*円$/u, '')
    .trim();
}

/**
 * The digits of a whole number of yen as written (normaliseYenText first): plain digits, or digits
 * grouped in threes with commas (`1,234,000`); undefined for anything else (`1,23`, `1.5`, `-3`).
 * Every amount field and every limit field reads its number through here.
 */
export function yenDigitsOf(normalised: string): string | undefined {
  return /^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)$/.test(normalised) ? normalised.replaceAll(',', '') : undefined;
}

/**
 * An amount typed into a form: digits, optionally grouped with commas (`1,234,000`), in half- or
 * full-width, with or without 円 (normaliseYenText).
 */
export function parseYenInput(text: string): YenInput {
  const trimmed = normaliseYenText(text);
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (/^-/.test(trimmed)) return { ok: false, problem: 'not_positive' };
  if (/^[0-9][0-9,]*\.[0-9]*$/.test(trimmed)) return { ok: false, problem: 'fraction' };
  const written = yenDigitsOf(trimmed);
  if (written === undefined) return { ok: false, problem: 'not_a_number' };
  const digits = written.replace(/^0+(?=[0-9])/, '');
  if (digits.length > 13) return { ok: false, problem: 'too_large' };
  const yen = BigInt(digits);
  if (yen <= 0n) return { ok: false, problem: 'not_positive' };
  if (yen > yenAmountMax) return { ok: false, problem: 'too_large' };
  return { ok: true, yen };
}

/** `1234567n` → `1,234,567` (negative amounts keep their sign). */
export function formatYen(yen: bigint): string {
  const sign = yen < 0n ? '-' : '';
  const digits = (yen < 0n ? -yen : yen).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
