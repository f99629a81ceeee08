import type { Grant } from '../../domain/permissions.ts';

/** What a person may do (R1.4): the businesses with their steps and limits, and the accounts. */
export interface PermissionsInput {
  grants: Grant[];
  accountIds: number[];
}

/** Grants as the audit trail and the pages show them: yen as decimal strings (JSON has no bigint). */
export function describeGrants(grants: readonly Grant[]): Record<string, unknown>[] {
  return grants.map((grant) => ({
    business: grant.business,
    steps: [...grant.steps],
    perTransactionLimitYen: grant.perTransactionLimitYen?.toString() ?? null,
    dailyLimitYen: grant.dailyLimitYen?.toString() ?? null,
  }));
}

/** The same grants, whatever the order of the businesses. */
export function sameGrants(a: readonly Grant[], b: readonly Grant[]): boolean {
  const key = (grants: readonly Grant[]) => JSON.stringify(describeGrants([...grants].sort((x, y) => x.business.localeCompare(y.business))));
  return key(a) === key(b);
}

/** The same accounts, whatever their order. */
export function sameAccounts(a: readonly number[], b: readonly number[]): boolean {
  return JSON.stringify([...a].sort((x, y) => x - y)) === JSON.stringify([...b].sort((x, y) => x - y));
}
