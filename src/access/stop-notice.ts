import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import type { Contract, User } from '../db/schema.ts';
import { enqueueEmail } from '../outbox/enqueue.ts';
import { composeNotice } from '../mail/compose.ts';
import { masterEmail } from '../mail/security-notice.ts';
import { notifyEveryPerson, type NoticeLine } from '../mail/contract-people.ts';
import { mayLift } from '../domain/lock-modes.ts';
import { lockoutFailuresMax } from './attempts.ts';
import type { StopOrigins } from './stop-origins.ts';

/**
 * R2.3 (seed 002): who can help is said by the lock mode's rule — a general user's stop in a
 * contract that is not linked is lifted by the master or an admin user (利用者管理 → the user's
 * page), anything else by the bank only, which the master calls.
 */
export function howToLift(contract: Contract, stopped: User): NoticeLine {
  return mayLift(contract.lock_mode, stopped.role, 'master')
    ? { key: 'stopNotice.liftByAdmin', params: { userId: stopped.user_id } }
    : { key: 'stopNotice.liftByBank' };
}

/**
 * R2.3: where the wrong entries came from, for the person and the master to judge whether they
 * were theirs: the addresses of the last seven, and those the person never logged on from.
 */
function originLines(user: User, origins: StopOrigins | undefined): NoticeLine[] {
  if (!origins || origins.addresses.length === 0) return [];
  const lines: NoticeLine[] = [{ key: 'stopNotice.origins', params: { count: lockoutFailuresMax, addresses: origins.addresses.join(', ') } }];
  if (origins.neverSeen.length > 0) lines.push({ key: 'stopNotice.neverSeen', params: { userId: user.user_id, addresses: origins.neverSeen.join(', ') } });
  return lines;
}

/**
 * R2.3: a stop is emailed to the person and to the master. A stop that stops the whole contract
 * (the master's, or anyone's when linked) is told to every person of the contract, each with what
 * they must do: they cannot log on, and only the bank lifts it. The person and the master are told
 * where the wrong entries came from.
 */
export async function notifyStop(
  deps: Deps,
  tx: Tx,
  stop: { user: User; contract: Contract; at: Date; ip: string; contractStopped?: boolean; origins?: StopOrigins },
): Promise<void> {
  const { user, contract } = stop;
  const at = { moment: stop.at };
  const origins = originLines(user, stop.origins);
  const own: NoticeLine[] = [
    { key: 'mail.stopped.body', params: { company: contract.company_name, userId: user.user_id, at, ip: stop.ip } },
    ...origins,
    ...(stop.contractStopped ? [{ key: 'stopNotice.contractStopped', params: { company: contract.company_name } } as const] : []),
    howToLift(contract, user),
  ];
  if (!stop.contractStopped) {
    const recipients = new Set([user.email, await masterEmail(tx, contract.id)].filter((e): e is string => Boolean(e)));
    const notice = composeNotice(deps.config, { subject: 'mail.stopped.subject', lines: own });
    for (const recipient of recipients) await enqueueEmail(tx, { contractId: contract.id, recipient, ...notice }, stop.at);
    return;
  }
  await notifyEveryPerson(deps, tx, contract, stop.at, (person) => {
    if (person.id === user.id) return { subject: 'mail.stopped.subject', lines: own };
    return {
      subject: 'mail.stopped.subject',
      lines: [
        { key: 'stopNotice.contract.body', params: { company: contract.company_name, userId: user.user_id, at, yourUserId: person.user_id } },
        ...(person.role === 'master' ? origins : []),
        { key: person.role === 'master' ? 'stopNotice.contract.forMaster' : 'stopNotice.contract.forUser' },
      ],
    };
  });
}

/**
 * R2.3: the bank lifted the contract's stop. Everyone it stopped is told they can log on again;
 * a person whose own stop remains is told who lifts that one.
 */
export async function notifyContractResumed(deps: Deps, tx: Tx, contract: Contract, at: Date): Promise<void> {
  const when = { moment: at };
  await notifyEveryPerson(deps, tx, contract, at, (person) => {
    const lines: NoticeLine[] = [{ key: 'stopNotice.resumed.body', params: { company: contract.company_name, at: when, yourUserId: person.user_id } }];
    if (person.stopped_at !== null) lines.push({ key: 'stopNotice.resumed.stillStopped', params: { yourUserId: person.user_id } });
    return { subject: 'stopNotice.resumed.subject', lines };
  });
}
