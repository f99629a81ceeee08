import type { Deps } from '../../deps.ts';
import type { ApprovalMode, ResultEmailTo } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { recordRefusal, runCommand } from '../../command/pipeline.ts';
import { confirmationPassword as confirmWith } from '../../command/confirmation.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';

/**
 * The contract's settings the master decides: the approval function (R8.5: none, single or double)
 * and who receives transfer result emails (R7.3: the operator, the master, or both). Items already
 * waiting keep the number of approvals they were registered with.
 */
export const approvalModes = ['none', 'single', 'double'] as const satisfies readonly ApprovalMode[];
export const resultEmailRecipients = ['operator', 'master', 'operator_and_master'] as const satisfies readonly ResultEmailTo[];

export interface ContractSettings {
  approvalMode: ApprovalMode;
  resultEmailTo: ResultEmailTo;
}

const action = 'contract.settings';

type StoredSettings = { approval_mode: ApprovalMode; result_email_to: ResultEmailTo };

/** Only the master sees or changes these; anyone else is refused, and a refused change is recorded. */
export async function requireMaster(deps: Deps, live: LiveSession, context?: RequestContext): Promise<void> {
  if (live.user.role === 'master') return;
  if (context) await recordRefusal(deps, { live, context }, { action }, { code: 'FORBIDDEN', audit: {} });
  throw new AppError('FORBIDDEN');
}

export async function contractSettingsOf(deps: Deps, live: LiveSession): Promise<ContractSettings> {
  await requireMaster(deps, live);
  const row = await deps.db.selectFrom('contract').select(['approval_mode', 'result_email_to']).where('id', '=', live.user.contract_id).executeTakeFirstOrThrow();
  return { approvalMode: row.approval_mode, resultEmailTo: row.result_email_to };
}

/**
 * R8.5, R7.3: the master changes the settings, confirmed with the confirmation password; a form that
 * changes nothing asks for no password and records nothing.
 */
export function changeContractSettings(
  deps: Deps,
  live: LiveSession,
  settings: ContractSettings,
  confirmationPassword: string,
  context: RequestContext,
): Promise<'changed' | 'unchanged'> {
  const contractId = live.user.contract_id;
  return runCommand<StoredSettings, void, 'changed' | 'unchanged'>(deps, { live, context }, {
    action,
    async judge(executor) {
      if (live.user.role !== 'master') return { refused: { code: 'FORBIDDEN', audit: {} } };
      const old = await executor
        .selectFrom('contract')
        .select(['approval_mode', 'result_email_to'])
        .where('id', '=', contractId)
        .$if(executor.isTransaction, (query) => query.forNoKeyUpdate())
        .executeTakeFirstOrThrow();
      if (old.approval_mode === settings.approvalMode && old.result_email_to === settings.resultEmailTo) return { unchanged: 'unchanged' };
      return { go: old };
    },
    confirm: () => [confirmWith(confirmationPassword)],
    async write(tx, old) {
      await tx.updateTable('contract').set({ approval_mode: settings.approvalMode, result_email_to: settings.resultEmailTo }).where('id', '=', contractId).execute();
      return {
        result: 'changed',
        details: {
          approvalMode: { from: old.approval_mode, to: settings.approvalMode },
          resultEmailTo: { from: old.result_email_to, to: settings.resultEmailTo },
        },
      };
    },
    async notify(tx, _old, _written, now) {
      await notifySecurityChange(deps, tx, {
        contractId,
        companyName: live.contract.company_name,
        subjectUserId: live.user.user_id,
        actorLabel: live.user.user_id,
        what: {
          key: 'contractSettings.mail.changed',
          params: {
            approvalMode: { message: `contractSettings.approvalMode.${settings.approvalMode}` },
            resultEmailTo: { message: `contractSettings.resultEmailTo.${settings.resultEmailTo}` },
          },
        },
        at: now,
        ip: context.ip,
        recipients: [live.user.email, await masterEmail(tx, contractId)],
      });
    },
  });
}
