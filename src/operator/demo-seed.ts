import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Deps } from '../deps.ts';
import { inTransaction } from '../db/transaction.ts';
import { onboardInTx, prepareRegistration } from '../modules/contracts/service.ts';
import { writeGridCardFile } from './grid-card-print.ts';
import { seedDemoAccounts } from './demo-accounts.ts';
import { seedDemoBills } from '../modules/pay-easy/collector/demo-bills.ts';
import { tokyoDate } from '../domain/business-days.ts';

export interface DemoCredentials {
  contractId: string;
  userId: string;
  registrationPassword: string;
  registrationPasswordExpiresAt: string;
  gridCardFile: string;
}

const credentialsFileName = 'demo-credentials.json';

/**
 * On the first start of the embedded default: a demo bank with one demo contract, whose master
 * logs on for the first time with the printed registration password and grid card. The details are
 * also kept in the data folder so a later start can show them again. The contract comes with its
 * accounts and a few months of history (R8.1), in the same transaction: a start that stops halfway
 * leaves no contract, and a later start seeds the whole again.
 */
export async function seedDemo(deps: Deps): Promise<{ created: boolean; credentials?: DemoCredentials }> {
  const file = join(deps.config.dataDir, credentialsFileName);
  const any = await deps.db.selectFrom('contract').select('id').limit(1).executeTakeFirst();
  if (any) {
    try {
      return { created: false, credentials: JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials };
    } catch {
      return { created: false }; // seeded elsewhere, or the file was removed: nothing to show
    }
  }
  const registration = await prepareRegistration(deps);
  const result = await inTransaction(deps.db, async (tx) => {
    const onboarded = await onboardInTx(
      deps,
      tx,
      { companyName: 'デモ商事株式会社', lockMode: 'unlinked', masterUserId: 'master01', masterName: '銀行 太郎' },
      registration,
      { actor: 'operator:demo-seed' },
    );
    await seedDemoAccounts(deps, tx, { contractId: onboarded.contractId, masterRef: onboarded.masterRef });
    // R8.3: the bills the built-in Pay-easy collector answers for.
    await seedDemoBills(tx, tokyoDate(deps.clock.now()), deps.clock.now());
    return onboarded;
  });
  const gridCardFile = writeGridCardFile(deps.config.dataDir, result.card, {
    bankName: deps.config.bankName,
    companyName: result.companyName,
    contractId: result.contractId,
    userId: result.masterUserId,
  });
  const credentials: DemoCredentials = {
    contractId: result.contractId,
    userId: result.masterUserId,
    registrationPassword: result.registrationPassword,
    registrationPasswordExpiresAt: result.registrationPasswordExpiresAt.toISOString(),
    gridCardFile,
  };
  writeFileSync(resolve(file), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { created: true, credentials };
}
