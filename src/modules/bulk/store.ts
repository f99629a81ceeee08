import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import { inTransaction } from '../../db/transaction.ts';
import { bulkFileColumns, type BulkFile } from '../../db/schema-bulk.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import type { Actor } from '../transfers/types.ts';
import type { CheckedFile } from './check.ts';

/**
 * R8.4: a valid file is kept as a draft of the person who uploaded (or built) it, with its records,
 * until they register or discard it. The records go in with one statement whatever their number
 * (arrays unnested), and the file is flagged when the contract holds a file of the same bytes
 * already (its digest), which the person then confirms as a payment of its own.
 */
export async function storeDraft(deps: Deps, actor: Actor, checked: CheckedFile, content: Uint8Array, fileName: string, origin: 'upload' | 'built'): Promise<BulkFile> {
  return inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const earlier = await tx
      .selectFrom('bulk_file')
      .select('id')
      .where('contract_id', '=', actor.contract.id)
      .where('digest', '=', checked.digest)
      .where('status', 'not in', ['draft', 'discarded'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const file = await tx
      .insertInto('bulk_file')
      .values({
        contract_id: actor.contract.id,
        created_by: actor.user.id,
        type_code: checked.typeCode,
        origin,
        file_name: fileName,
        digest: checked.digest,
        content,
        from_account_id: checked.fromAccountId,
        payment_date: checked.paymentDate,
        batch_count: checked.batchCount,
        record_count: checked.records.length,
        total_yen: checked.totalYen,
        fee_yen: checked.feeYen,
        status: 'draft',
        approvals_required: null,
        duplicate_of: earlier?.id ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning(bulkFileColumns)
      .executeTakeFirstOrThrow();
    const column = <T>(pick: (r: CheckedFile['records'][number]) => T) => checked.records.map(pick);
    await sql`
      INSERT INTO bulk_record (file_id, seq, record_number, bank_code, bank_name, branch_code, branch_name, account_type, account_number, name_kana, amount_yen, fee_yen, customer_code)
      SELECT ${file.id}::int8, r.*
      FROM unnest(${column((r) => r.seq)}::int[], ${column((r) => r.recordNumber)}::int[], ${column((r) => r.bankCode)}::text[], ${column((r) => r.bankName)}::text[],
                  ${column((r) => r.branchCode)}::text[], ${column((r) => r.branchName)}::text[], ${column((r) => r.accountType)}::text[],
                  ${column((r) => r.accountNumber)}::text[], ${column((r) => r.nameKana)}::text[], ${column((r) => r.amountYen.toString())}::int8[],
                  ${column((r) => r.feeYen.toString())}::int8[], ${column((r) => r.customerCode)}::text[]) AS r`.execute(tx);
    await recordAudit(tx, {
      at: now,
      contractId: actor.contract.id,
      userRef: actor.user.id,
      actor: userActor(actor.contract.id, actor.user.user_id),
      action: 'bulk.upload',
      outcome: 'success',
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { bulkFileId: file.id.toString(), origin, typeCode: checked.typeCode, records: checked.records.length, totalYen: checked.totalYen.toString(), digest: checked.digest, duplicateOf: earlier?.id.toString() ?? null },
    });
    return file;
  });
}
