import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { formatYen } from '../../src/domain/money.ts';
import { createTransfer, quoteTransfer, sendNewTransferCode, type Actor, type TransferInput } from '../../src/modules/transfers/service.ts';

/**
 * One transfer as a person makes it (R5.2): the confirmation page quotes it and emails the one-time
 * password, which the person reads from their mail (here the outbox) and enters with the
 * confirmation. The benchmarks date it today from an account with the money, so it posts at once.
 *
 * `codesInFlightMax`: how many of the person's transfers may be between their code's mail and its
 * use at one moment. The code is looked for among that many newest mails by the amount its mail
 * states, so transfers of one person that overlap need amounts of their own.
 */
export async function transferWithEmailedCode(deps: Deps, actor: Actor, input: TransferInput, codesInFlightMax = 1): Promise<void> {
  await sendNewTransferCode(deps, actor, input.idempotencyKey, await quoteTransfer(deps, actor, input));
  const code = await emailedCode(deps.db, actor.user.otp_email!, input.amountYen, codesInFlightMax);
  const { transfer } = await createTransfer(deps, actor, input, code);
  if (transfer.status !== 'completed') throw new Error(`transfer ${transfer.id} is ${transfer.status}`);
}

/** The one-time password in the newest of a person's `newest` mails that states this amount. */
async function emailedCode(db: Db, address: string, amountYen: bigint, newest: number): Promise<string> {
  const mails = await db.selectFrom('outbox').select('body').where('recipient', '=', address).orderBy('id', 'desc').limit(newest).execute();
  const amountLine = `振込金額: ${formatYen(amountYen)}円\n`;
  const mail = mails.find((m) => m.body.includes(amountLine));
  const code = mail === undefined ? undefined : /ワンタイムパスワード: (\d{6})/.exec(mail.body)?.[1];
  if (!code) throw new Error(`no one-time password for ${formatYen(amountYen)} yen in the newest ${newest} mails to ${address}`);
  return code;
}
