import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { ClientCertificate } from '../../db/schema-certificates.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { mayAdminister, refusalToAct, type Person } from '../../domain/permissions.ts';
import { refusalError, runCommand, type Refusal } from '../../command/pipeline.ts';
import { confirmationPassword as confirmWith } from '../../command/confirmation.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { lockPerson, peopleOf, personByRef, personByUserId, type PersonRecord } from '../users/repository.ts';
import { validCertificateOf, validCertificatesOfContract } from './lookup.ts';
import { revokeCertificate } from './revoke.ts';

/**
 * R4.5: the master (and admin users, who administer people as the master does, R1.4) reissue the
 * certificates of the contract's approvers and general users: the certificate is revoked, and the
 * person acquires a new one through 電子証明書の取得・更新. The master's own is the bank's to reissue.
 * Each reissue is confirmed with the actor's confirmation password (R1.5), audited and mailed.
 */
export interface CertificatesOverview {
  actor: PersonRecord;
  people: PersonRecord[];
  certificates: Map<number, ClientCertificate>;
  required: boolean;
}

/**
 * Why this actor may not reissue this person's certificate, or undefined. Reissue is treated as a
 * reset of the person's credentials: not one's own (renewed through acquisition instead), never the
 * master's (the bank's, R4.5), never a deleted person's.
 */
export function refusalToReissue(actor: Person, subject: Person): ErrorCode | undefined {
  const refused = refusalToAct(actor, subject, 'reset_password');
  if (refused?.code === 'USERS_MASTER_PROTECTED') return 'CERT_MASTER_BY_BANK';
  return refused?.code;
}

async function actorOf(executor: Executor, live: LiveSession): Promise<PersonRecord> {
  const actor = await personByRef(executor, live.user.contract_id, live.user.id);
  if (!actor || !mayAdminister(actor.person)) throw new AppError('FORBIDDEN');
  return actor;
}

async function auditRefusal(deps: Deps, live: LiveSession, context: RequestContext, code: ErrorCode, userId: string): Promise<void> {
  await recordAudit(deps.db, {
    at: deps.clock.now(),
    contractId: live.user.contract_id,
    userRef: live.user.id,
    actor: userActor(live.user.contract_id, live.user.user_id),
    action: 'certificate.reissue',
    outcome: 'failure',
    reason: code.toLowerCase(),
    ip: context.ip,
    userAgent: context.userAgent,
    details: { userId },
  });
}

/**
 * R1.4: only those who administer people see the list. A refusal is kept in the audit trail: a
 * general user trying the page is what a stolen session would do.
 */
export async function certificatesOverview(deps: Deps, live: LiveSession, context?: RequestContext): Promise<CertificatesOverview> {
  let actor: PersonRecord;
  try {
    actor = await actorOf(deps.db, live);
  } catch (error) {
    if (context) await auditRefusal(deps, live, context, 'FORBIDDEN', live.user.user_id);
    throw error;
  }
  const contractId = live.user.contract_id;
  return {
    actor,
    people: await peopleOf(deps.db, contractId),
    certificates: await validCertificatesOfContract(deps.db, contractId),
    required: live.contract.certificate_required,
  };
}

export interface ReissueSubject {
  actor: PersonRecord;
  subject: PersonRecord;
  certificate: ClientCertificate;
}

/** The person and certificate a reissue is about, or the refusal; a refused reissue is kept in the audit trail. */
async function judgeReissue(executor: Executor, live: LiveSession, userId: string): Promise<{ go: ReissueSubject } | { refused: Refusal }> {
  const refused = (code: ErrorCode) => ({ refused: { code, audit: {} } });
  const actor = await personByRef(executor, live.user.contract_id, live.user.id);
  if (!actor || !mayAdminister(actor.person)) return refused('FORBIDDEN');
  const subject = await personByUserId(executor, live.user.contract_id, userId);
  if (!subject) return refused('NOT_FOUND');
  const refusal = refusalToReissue(actor.person, subject.person);
  if (refusal) return refused(refusal);
  const certificate = await validCertificateOf(executor, subject.user.id);
  if (!certificate) return refused('CERT_NONE_VALID');
  return { go: { actor, subject, certificate } };
}

/** The confirmation page of a reissue: refused when the reissue would be. */
export async function reissuePage(deps: Deps, live: LiveSession, userId: string): Promise<ReissueSubject> {
  const judged = await judgeReissue(deps.db, live, userId);
  if ('refused' in judged) throw refusalError(judged.refused);
  return judged.go;
}

/**
 * R4.5: revokes the person's certificate, ending the sessions opened with it, and tells the person
 * and the master (R7.3), in one transaction with the audit records: the revocation's
 * (certificate.revoke, reason reissue, as every revocation records itself) and the reissue's.
 */
export async function reissueCertificate(deps: Deps, live: LiveSession, userId: string, confirmationPassword: string, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  await runCommand<ReissueSubject, void, { serialHex: string }>(deps, { live, context }, {
    action: 'certificate.reissue',
    details: { userId },
    judge: (executor) => judgeReissue(executor, live, userId),
    confirm: () => [confirmWith(confirmationPassword)],
    lock: (tx) => lockPerson(tx, contractId, userId),
    async write(tx, { subject, certificate }) {
      const by = { actor: userActor(contractId, live.user.user_id), ip: context.ip, userAgent: context.userAgent };
      const revoked = await revokeCertificate(deps, tx, certificate.id, 'reissue', by);
      if (!revoked) throw new AppError('CERT_NONE_VALID');
      return { result: { serialHex: revoked.serial_hex }, recordedByWrite: true };
    },
    async notify(tx, { subject }, { result }, now) {
      await notifySecurityChange(deps, tx, {
        contractId,
        companyName: live.contract.company_name,
        subjectUserId: subject.user.user_id,
        actorLabel: live.user.user_id,
        what: { key: 'certificates.mail.reissued', params: { serial: result.serialHex } },
        at: now,
        ip: context.ip,
        recipients: [subject.user.email, await masterEmail(tx, contractId)],
      });
    },
  });
}
