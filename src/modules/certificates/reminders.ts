import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import { composeNotice } from '../../mail/compose.ts';
import { addDaysTo, dayMs } from '../../domain/tokyo-time.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../../platform/repeating-job.ts';

/**
 * R4.4: reminder emails 30 and 10 days before a certificate expires, each sent once, however many
 * service processes run this at once. Each reminder is claimed by one conditional UPDATE (the race
 * gate, house rule 4) whose rows are mailed in the same transaction: a row claimed is a row mailed.
 * The first reminder is due only while more than 10 days remain, so a certificate first seen
 * inside 10 days gets the second one alone.
 */
export const firstReminderDaysBefore = 30;
export const secondReminderDaysBefore = 10;
/** Certificates claimed per transaction; a larger backlog takes several rounds of the same run. */
export const reminderBatchMax = 100;

type Column = 'reminder_30_sent_at' | 'reminder_10_sent_at';

interface Claimed {
  id: number;
  serial_hex: string;
  not_after: Date;
  contract_id: string;
  user_id: string;
  email: string | null;
  status: string;
  company_name: string;
}

/** Claims up to a batch of due reminders of one kind and queues their emails, in one transaction. */
async function remindBatch(deps: Deps, column: Column, daysBefore: number, notBeforeDays: number): Promise<number> {
  const now = deps.clock.now();
  const dueBy = addDaysTo(now, daysBefore);
  const laterThan = addDaysTo(now, notBeforeDays);
  return inTransaction(deps.db, async (tx) => {
    // SKIP LOCKED lets another process take other rows; the IS NULL test on the row itself (re-checked
    // after any wait) is what makes each reminder go once.
    const claimed = await sql<Claimed>`
      WITH due AS (
        SELECT id FROM client_certificate
         WHERE revoked_at IS NULL AND ${sql.ref(column)} IS NULL
           AND not_after > ${laterThan} AND not_after <= ${dueBy}
         ORDER BY not_after, id
         LIMIT ${reminderBatchMax}
         FOR UPDATE SKIP LOCKED
      ), marked AS (
        UPDATE client_certificate AS c SET ${sql.ref(column)} = ${now}
          FROM due
         WHERE c.id = due.id AND c.${sql.ref(column)} IS NULL AND c.revoked_at IS NULL
        RETURNING c.id, c.serial_hex, c.not_after, c.user_ref
      )
      SELECT marked.id, marked.serial_hex, marked.not_after, users.contract_id, users.user_id, users.email, users.status, contract.company_name
        FROM marked
        JOIN users ON users.id = marked.user_ref
        JOIN contract ON contract.id = users.contract_id
       ORDER BY marked.id`.execute(tx);
    for (const row of claimed.rows) {
      // A deleted person, or one without an address, has nobody to read it; the claim still stands.
      if (!row.email || row.status === 'deleted') continue;
      const notAfter = new Date(row.not_after);
      const notice = composeNotice(deps.config, {
        subject: 'certificates.mail.reminder.subject',
        lines: [
          {
            key: 'certificates.mail.reminder.body',
            params: {
              company: row.company_name,
              userId: row.user_id,
              serial: row.serial_hex,
              notAfter: { moment: notAfter },
              days: Math.max(1, Math.ceil((notAfter.getTime() - now.getTime()) / dayMs)),
            },
          },
          { key: 'certificates.mail.reminder.renew' },
        ],
      });
      await enqueueEmail(tx, { contractId: row.contract_id, recipient: row.email, ...notice }, now);
    }
    return claimed.rows.length;
  });
}

/** Sends every reminder due now; returns how many certificates were reminded. */
export async function runCertificateReminders(deps: Deps): Promise<number> {
  let total = 0;
  const kinds: [Column, number, number][] = [
    ['reminder_10_sent_at', secondReminderDaysBefore, 0],
    ['reminder_30_sent_at', firstReminderDaysBefore, secondReminderDaysBefore],
  ];
  for (const [column, daysBefore, notBeforeDays] of kinds) {
    for (;;) {
      const count = await remindBatch(deps, column, daysBefore, notBeforeDays);
      total += count;
      if (count < reminderBatchMax) break;
    }
  }
  return total;
}

/** Runs the reminders every `intervalMs` until stopped; a failed round is reported and the next one runs. */
export function startCertificateReminders(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(() => runCertificateReminders(deps), options);
}
