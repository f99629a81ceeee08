import { sql } from 'kysely';
import type { Db } from '../../src/db/open.ts';
import { attemptLeaseSeconds, customerHolder, lockoutFailuresMax, releaseAttempt, reserveAttempt, type AttemptReservation } from '../../src/access/attempts.ts';
import { balanceOf } from '../transfers/fixtures.ts';
import type { TestPerson } from '../helpers/people.ts';
import type { Confirmation, Round } from './crash-world.ts';
import type { ReceivedMail } from '../outbox/smtp-peer.ts';

/**
 * What the database holds after a round of the crash scenario, judged against what was asked:
 * each a count of what went missing or came twice, all of which must be zero.
 */
export interface RoundLoss {
  /** A confirmation without its transfer, or whose retry led elsewhere. */
  transfersLost: number;
  /** A confirmation with more than one transfer, or a transfer posted more than once. */
  transfersDoubled: number;
  /** An approval not recorded, or its transfer not sent. */
  approvalsLost: number;
  approvalsDoubled: number;
  /** An account whose balance is not its funding less what its transfers paid. */
  balancesWrong: number;
  /** R2.3: a person who cannot make seven attempts now: charged a failure they did not make, a reservation still counted, or stopped. */
  peopleCharged: number;
}

function personRows(db: Db, people: TestPerson[]) {
  return db
    .selectFrom('users')
    .select(['user_id', 'contract_id', 'failed_attempts', 'attempts_in_flight', 'attempts_reserved_at', 'stopped_at'])
    .where((eb) => eb.or(people.map((p) => eb.and([eb('contract_id', '=', p.contractId), eb('user_id', '=', p.userId)]))))
    .execute();
}

export function roundPeople(round: Round): TestPerson[] {
  return [...round.senders, round.approver, ...round.visitors];
}

/** Reservations of the round's people that still count at `now`: made within their lease (decision 0024). */
export async function attemptsCounted(db: Db, people: TestPerson[], now: Date): Promise<number> {
  const lapsedBefore = now.getTime() - attemptLeaseSeconds * 1000;
  const rows = await personRows(db, people);
  return rows.reduce((sum, row) => sum + (row.attempts_reserved_at && row.attempts_reserved_at.getTime() > lapsedBefore ? row.attempts_in_flight : 0), 0);
}

export async function judgeRound(db: Db, round: Round, confirmations: Confirmation[], answers: Map<string, string>, now: Date): Promise<RoundLoss> {
  const loss: RoundLoss = { transfersLost: 0, transfersDoubled: 0, approvalsLost: 0, approvalsDoubled: 0, balancesWrong: 0, peopleCharged: 0 };
  const keys = confirmations.map((c) => c.key);
  const created = await db.selectFrom('transfer').select(['id', 'idempotency_key', 'status', 'amount_yen']).where('idempotency_key', 'in', keys).execute();
  const approvedIds = round.approvals.map((a) => a.transferId);
  const ids = [...created.map((t) => t.id), ...approvedIds];
  const entries = await db.selectFrom('journal_entry').select(['transfer_id', sql<number>`count(*)::int`.as('n')]).where('kind', '=', 'transfer').where('transfer_id', 'in', ids).groupBy('transfer_id').execute();
  const postings = new Map(entries.map((e) => [e.transfer_id, e.n]));

  if (confirmations.length < round.transferForms.length) loss.transfersLost += round.transferForms.length - confirmations.length;
  for (const request of confirmations) {
    const own = created.filter((t) => t.idempotency_key === request.key);
    if (own.length > 1) loss.transfersDoubled++;
    const transfer = own[0];
    if (!transfer || transfer.status !== 'completed' || transfer.amount_yen !== request.amountYen) loss.transfersLost++;
    else if (answers.get(request.key) !== `/transfers/${transfer.id}?done=created`) loss.transfersLost++;
    if (transfer && (postings.get(transfer.id) ?? 0) > 1) loss.transfersDoubled++;
  }

  const approvals = await db.selectFrom('transfer_approval').select(['transfer_id', sql<number>`count(*)::int`.as('n')]).where('transfer_id', 'in', approvedIds).groupBy('transfer_id').execute();
  const approvedTimes = new Map(approvals.map((a) => [a.transfer_id, a.n]));
  const approved = await db.selectFrom('transfer').select(['id', 'status']).where('id', 'in', approvedIds).execute();
  for (const request of round.approvals) {
    const times = approvedTimes.get(request.transferId) ?? 0;
    const status = approved.find((t) => t.id === request.transferId)?.status;
    if (times === 0 || status !== 'completed' || answers.get(request.key) !== `/transfers/${request.transferId}?done=approved`) loss.approvalsLost++;
    if (times > 1 || (postings.get(request.transferId) ?? 0) > 1) loss.approvalsDoubled++;
  }

  for (const { account, fundedYen } of round.accounts) {
    const paid = await db
      .selectFrom('transfer')
      .select(sql<string>`coalesce(sum(amount_yen + fee_yen), 0)::text`.as('yen'))
      .where('from_account_id', '=', account.id)
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    if ((await balanceOf(db, account.id)) !== fundedYen - BigInt(paid.yen)) loss.balancesWrong++;
  }

  for (const person of roundPeople(round)) if ((await attemptsAvailable(db, person, now)) < lockoutFailuresMax) loss.peopleCharged++;
  return loss;
}

/**
 * How many attempts the person's next requests would find (R2.3): reserved one by one as a request
 * reserves, then all given back. Seven when nothing is charged.
 */
async function attemptsAvailable(db: Db, person: TestPerson, now: Date): Promise<number> {
  const user = await db.selectFrom('users').selectAll().where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  const reserved: AttemptReservation[] = [];
  for (let reservation = await reserveAttempt(db, customerHolder(user), now); reservation; reservation = await reserveAttempt(db, customerHolder(user), now)) {
    reserved.push(reservation);
    if (reserved.length > lockoutFailuresMax) break;
  }
  for (const reservation of reserved) await releaseAttempt(db, reservation);
  return reserved.length;
}

/** R7.3: every message of the outbox reached the SMTP server, at least once; copies carry one Message-ID. */
export interface MailFigures {
  messages: number;
  lost: number;
  /** Copies received beyond the first, each with the Message-ID of the first. */
  duplicates: number;
  /** Messages sent again after a claim that a killed process never completed. */
  redelivered: number;
  /** Received with a Message-ID that names no message of the outbox. */
  unknown: number;
}

const messageIdOf = (mail: ReceivedMail): string | undefined => /^Message-ID:\s*<outbox-(\d+)@[^>]+>/im.exec(mail.raw)?.[1];

export async function judgeMail(db: Db, received: ReceivedMail[]): Promise<MailFigures> {
  const rows = await db.selectFrom('outbox').select(['id', 'status', 'attempts']).execute();
  const copies = new Map<string, number>();
  for (const mail of received) {
    const id = messageIdOf(mail) ?? 'none';
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const known = new Set(rows.map((r) => r.id.toString()));
  return {
    messages: rows.length,
    lost: rows.filter((r) => r.status !== 'sent' || !copies.has(r.id.toString())).length,
    duplicates: [...copies].filter(([id]) => known.has(id)).reduce((sum, [, n]) => sum + n - 1, 0),
    redelivered: rows.filter((r) => r.status === 'sent' && r.attempts > 1).length,
    unknown: [...copies.keys()].filter((id) => !known.has(id)).length,
  };
}

/** Messages claimed by a delivery run and not yet sent: what a process killed now leaves behind. */
export async function mailInDelivery(db: Db): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', '=', 'pending')
    .where('attempts', '>', 0)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Messages not yet sent, and of them those due now (not held by a delivery run's claim). */
export async function mailPending(db: Db, now: Date): Promise<{ pending: number; due: number }> {
  const row = await db
    .selectFrom('outbox')
    .select([sql<number>`count(*)::int`.as('pending'), sql<number>`(count(*) FILTER (WHERE next_attempt_at <= ${now}))::int`.as('due')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return row;
}
