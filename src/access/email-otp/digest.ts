import { sha256Hex } from '../../crypto/compare.ts';

/**
 * R5.3: the canonical digest of what a code confirms — every field that moves money, by name. The
 * fields are written as one JSON array of [name, value] pairs in name order, so the same fields give
 * the same digest whatever order they were given in, and no value can pass for a neighbour's (a
 * separator inside a value is escaped by JSON).
 */
export type DigestFields = Readonly<Record<string, string | number | bigint | null>>;

export function canonicalDigest(kind: string, fields: DigestFields): string {
  const pairs = Object.keys(fields)
    .sort()
    .map((name) => {
      const value = fields[name];
      return [name, value === null || value === undefined ? null : String(value)];
    });
  return sha256Hex(JSON.stringify([kind, pairs]));
}
