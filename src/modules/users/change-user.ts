import type { Deps } from '../../deps.ts';
import { refusalToChangeGrants, refusalToRemoveLastAdministrator, type Person } from '../../domain/permissions.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword, tokenPassword } from '../../command/confirmation.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { actorOf, auditedRefusal, subjectOf } from './administrator.ts';
import { mailPersonChange } from './change-notice.ts';
import { describeGrants, sameAccounts, sameGrants, type PermissionsInput } from './grant-details.ts';
import { addressChange, administeredAddress, applyAdministeredAddress, type AddressChange } from './address.ts';
import { lockContract, lockPerson, peopleOf, replaceAccounts, replaceGrants, type PersonRecord } from './repository.ts';

export interface ChangeUserInput extends PermissionsInput {
  displayName: string;
  email: string;
  confirmationPassword: string;
  /** R6.5: the actor's token password, once the contract has tokens. */
  tokenCode: string;
}

export type ChangeOutcome = 'changed' | 'unchanged';

/** What the form changes of the person, for the notice (R7.3). */
interface Differences {
  profile: boolean;
  address: AddressChange;
  permissions: boolean;
  accounts: boolean;
}

/**
 * R1.4: name, email, permissions, limits and accounts of a person. The result must lie within the
 * actor's own, and must leave the contract someone able to administer; both are judged before the
 * actor's confirmation password is asked (R1.5) and again under the person's and the contract's
 * locks. A form that changes nothing asks for no password. A new address waits for its owner's
 * code (./address.ts); the change is mailed to the address in use and to the master (R7.3), and the
 * owner's confirmation later tells the old and the new address.
 */
export function changeUser(deps: Deps, live: LiveSession, userId: string, input: ChangeUserInput, context: RequestContext): Promise<ChangeOutcome> {
  const contractId = live.user.contract_id;
  return runCommand<{ subject: PersonRecord; differs: Differences }, void, ChangeOutcome>(deps, { live, context }, {
    action: 'user.change',
    details: { userId },
    async judge(executor) {
      const actor = await actorOf(executor, live);
      const subject = await subjectOf(executor, live, userId);
      const refused = refusalToChangeGrants(actor.person, subject.person, input.grants, input.accountIds);
      if (refused) return auditedRefusal(refused);
      const changed: Person = { ...subject.person, grants: input.grants, accountIds: input.accountIds };
      const lastAdministrator = refusalToRemoveLastAdministrator((await peopleOf(executor, contractId)).map((p) => p.person), changed);
      if (lastAdministrator) return auditedRefusal(lastAdministrator);
      const address = addressChange(subject.user, input.email);
      const differs = {
        profile: subject.user.display_name !== input.displayName || address !== 'none',
        address,
        permissions: !sameGrants(subject.person.grants, input.grants),
        accounts: !sameAccounts(subject.person.accountIds, input.accountIds),
      };
      if (!differs.profile && !differs.permissions && !differs.accounts) return { unchanged: 'unchanged' };
      return { go: { subject, differs } };
    },
    confirm: () => [confirmationPassword(input.confirmationPassword), tokenPassword(input.tokenCode)],
    // The person before the contract: the order a stop (R2.3) takes them in, so the two never deadlock.
    async lock(tx) {
      await lockPerson(tx, contractId, userId);
      await lockContract(tx, contractId);
    },
    async write(tx, { subject, differs }) {
      await tx.updateTable('users').set({ display_name: input.displayName }).where('id', '=', subject.user.id).where('contract_id', '=', contractId).execute();
      await applyAdministeredAddress(deps, tx, {
        owner: subject.user,
        wanted: input.email,
        change: differs.address,
        setBy: { userId: live.user.user_id, companyName: live.contract.company_name },
        context,
      });
      await replaceGrants(tx, subject.user.id, input.grants);
      await replaceAccounts(tx, subject.user.id, input.accountIds);
      return {
        result: 'changed',
        subjectRef: subject.user.id,
        details: {
          displayName: { from: subject.user.display_name, to: input.displayName },
          // `inUse`: where notices go until the owner confirms the new address.
          email: { from: administeredAddress(subject.user), to: input.email, inUse: subject.user.email },
          grants: { from: describeGrants(subject.person.grants), to: describeGrants(input.grants) },
          accountIds: { from: subject.person.accountIds, to: input.accountIds },
        },
      };
    },
    async notify(tx, { subject, differs }, _written, now) {
      const mark = (changed: boolean): { message: MessageKey } => ({ message: changed ? 'users.mail.mark.changed' : 'users.mail.mark.unchanged' });
      await mailPersonChange(deps, tx, live, context, now, {
        what: { key: 'users.mail.changed', params: { profile: mark(differs.profile), permissions: mark(differs.permissions), accounts: mark(differs.accounts) } },
        subjectUserId: userId,
        recipients: [subject.user.email],
      });
    },
  });
}
