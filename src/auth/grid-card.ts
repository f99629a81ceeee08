import type { Random } from '../platform/random.ts';
import { secretsEqual } from '../crypto/compare.ts';

/**
 * R3.2: the grid card [乱数表] holds 8 columns (A–H) × 6 rows (1–6) of single digits. A challenge
 * names 4 distinct cells; the answer is their digits in the order named.
 */
export const gridColumns = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const;
export const gridRowsCount = 6;
export const gridCellsCount = gridColumns.length * gridRowsCount;
export const gridChallengeCellsCount = 4;
export const gridCardValidityDays = 3 * 365;

export type GridCell = `${(typeof gridColumns)[number]}${1 | 2 | 3 | 4 | 5 | 6}`;

/** 48 digits, row by row: row 1 columns A–H, then row 2, … */
export function newGridDigits(random: Random): string {
  let digits = '';
  for (let i = 0; i < gridCellsCount; i++) digits += String(random.int(0, 10));
  return digits;
}

export function cellName(index: number): GridCell {
  return `${gridColumns[index % gridColumns.length]}${Math.floor(index / gridColumns.length) + 1}` as GridCell;
}

export function cellIndex(cell: string): number {
  const match = /^([A-H])([1-6])$/.exec(cell);
  if (!match) throw new Error(`not a grid cell: ${cell}`);
  return (Number(match[2]) - 1) * gridColumns.length + gridColumns.indexOf(match[1] as (typeof gridColumns)[number]);
}

export function newChallenge(random: Random): GridCell[] {
  const chosen = new Set<number>();
  while (chosen.size < gridChallengeCellsCount) chosen.add(random.int(0, gridCellsCount));
  return [...chosen].map(cellName);
}

export function expectedAnswer(digits: string, cells: readonly string[]): string {
  return cells.map((cell) => digits[cellIndex(cell)]).join('');
}

export function isCorrectAnswer(digits: string, cells: readonly string[], answer: string): boolean {
  return secretsEqual(expectedAnswer(digits, cells), answer);
}

/** The card as rows of digits, for printing. */
export function gridRows(digits: string): string[][] {
  const rows: string[][] = [];
  for (let r = 0; r < gridRowsCount; r++) {
    rows.push([...digits.slice(r * gridColumns.length, (r + 1) * gridColumns.length)]);
  }
  return rows;
}

/** Stored form of a challenge: `A1,C4,H2,E6`. */
export function serializeCells(cells: readonly string[]): string {
  return cells.join(',');
}

export function parseCells(text: string): GridCell[] {
  const cells = text.split(',');
  cells.forEach(cellIndex); // throws on a malformed stored value
  return cells as GridCell[];
}

/** The card's digits are sealed bound to its serial, so sealed digits moved to another card do not open. */
export function gridCardAssociatedData(serial: string): string {
  return `grid_card:${serial}`;
}
