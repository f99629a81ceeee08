import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Contract } from '../../db/schema.ts';
import { notifyEveryPerson } from '../../mail/contract-people.ts';

/**
 * R4.2 (seed 003): the switch to client certificates concerns all IDs of the contract — master,
 * approvers and general users — so each person is told, with what they must do before their next
 * logon (get their certificate on their PC, R4.3; log on at the certificate address). The master
 * also learns that a person with several PCs needs several user IDs (R4.6). Switching back is
 * told the same way. Written in the switch's transaction (house rule 8).
 */
export async function notifyCertificateSwitch(deps: Deps, tx: Tx, contract: Contract, required: boolean, at: Date): Promise<void> {
  const facts = { key: 'contractNotice.facts', params: { company: contract.company_name, actor: deps.config.bankName, at: { moment: at } } } as const;
  const logonUrl = `${deps.config.publicUrl}/logon`;
  const certificateLogonUrl = `${deps.config.certPublicUrl}/logon`;
  await notifyEveryPerson(deps, tx, contract, at, (person) =>
    required
      ? {
          subject: 'contractNotice.certificates.subject',
          lines: [
            { key: 'operatorConsole.notice.certificatesOn' },
            facts,
            { key: 'contractNotice.certificates.todo', params: { yourUserId: person.user_id, logonUrl, certificateLogonUrl } },
            ...(person.role === 'master' ? [{ key: 'contractNotice.certificates.forMaster' } as const] : []),
            { key: 'mail.notYou' },
          ],
        }
      : {
          subject: 'contractNotice.certificatesOff.subject',
          lines: [
            { key: 'operatorConsole.notice.certificatesOff' },
            facts,
            { key: 'contractNotice.certificatesOff.todo', params: { yourUserId: person.user_id, logonUrl } },
            { key: 'mail.notYou' },
          ],
        },
  );
}
