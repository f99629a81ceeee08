/**
 * R8.2: the transfer fee, from a table the bank configures (TRANSFER_FEES). A rule applies to a
 * destination and to amounts below a bound (or any amount); the first rule that matches gives the fee.
 */
export type FeeDestination = 'same_branch' | 'same_bank' | 'other_bank';

export interface FeeRule {
  destination: FeeDestination;
  /** The rule applies to amounts below this; null: any amount. */
  amountBelowYen: bigint | null;
  feeYen: bigint;
}

export type FeeTable = readonly FeeRule[];

const destinations: readonly FeeDestination[] = ['same_branch', 'same_bank', 'other_bank'];

/** A regional bank's usual corporate fees (tax included). */
export const defaultFeeTable: FeeTable = parseFeeTable(
  'same_branch:*:0,same_bank:30000:110,same_bank:*:220,other_bank:30000:330,other_bank:*:440',
);

/** `destination:below:fee` rules separated by commas; `*` for any amount. Every destination needs a rule for any amount. */
export function parseFeeTable(spec: string): FeeTable {
  const rules = spec.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const match = /^(same_branch|same_bank|other_bank):(\*|[0-9]{1,12}):([0-9]{1,7})$/.exec(part);
    if (!match) throw new Error(`"${part}" is not destination:below:fee (e.g. other_bank:30000:330)`);
    const [, destination, below, fee] = match as unknown as [string, FeeDestination, string, string];
    return { destination, amountBelowYen: below === '*' ? null : BigInt(below), feeYen: BigInt(fee) };
  });
  for (const destination of destinations) {
    if (!rules.some((rule) => rule.destination === destination && rule.amountBelowYen === null)) {
      throw new Error(`${destination} needs a rule for any amount (${destination}:*:fee)`);
    }
  }
  return rules;
}

export function transferFeeYen(table: FeeTable, destination: FeeDestination, amountYen: bigint): bigint {
  const rule = table.find((r) => r.destination === destination && (r.amountBelowYen === null || amountYen < r.amountBelowYen));
  if (!rule) throw new Error(`fee table has no rule for ${destination}`);
  return rule.feeYen;
}
