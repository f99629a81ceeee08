import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { AccountType, Business, CardRequestReason, LockMode, UserStatus } from '../../db/schema.ts';
import type { ActorKind } from '../../domain/lock-modes.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { actorKindOf } from '../user-security/people.ts';
import { usesAccountSql } from '../users/account-use.ts';
import { otpAddressStandings } from '../../access/email-otp/otp-address.ts';

/** R7.4: recent logons shown for each person, newest first. */
export const recentLogonsPerPerson = 5;

export interface PersonPermission {
  business: Business;
  register: boolean;
  approve: boolean;
  send: boolean;
  perTransactionLimitYen: bigint | null;
  dailyLimitYen: bigint | null;
}

export interface PersonSecurity {
  ref: number;
  userId: string;
  displayName: string;
  kind: ActorKind;
  status: UserStatus;
  stoppedAt: Date | null;
  failedAttempts: number;
  /** The first logon is not done yet: no password of their own so far. */
  firstLogonPending: boolean;
  mustChangeLogin: boolean;
  mustChangeConfirmation: boolean;
  loginPasswordChangedAt: Date | null;
  confirmationPasswordChangedAt: Date | null;
  permissions: PersonPermission[];
  accounts: { branchCode: string; accountType: AccountType; accountNumber: string }[];
  card: { serial: string; issuedAt: Date; expiresAt: Date } | null;
  cardRequest: { requestedAt: Date; reason: CardRequestReason } | null;
  recentLogons: { at: Date; ip: string | null; outcome: 'success' | 'failure' | 'info' }[];
  /** R5.1: whether the person needs an OTP address, and the confirmed one (masked). */
  otpAddress: { needed: boolean; confirmedMasked: string | undefined };
  /** R6.3, R6.6: the hardware token the person activated, and whether its use is stopped. */
  token: { serial: string | null; stoppedAt: Date | null };
}

export interface SecurityOverview {
  contract: { id: string; companyName: string; lockMode: LockMode };
  viewer: { ref: number; kind: ActorKind };
  /** Everyone for the master and admin users; a general user's own entry only. */
  people: PersonSecurity[];
  /** Who a general user turns to for a lifted stop or a reset password: the contract's administrators. */
  administrators: { userId: string; displayName: string; kind: ActorKind }[];
}

/**
 * The contract's security status (R7.4). The master and admin users see every person of the
 * contract: they are the ones who lift stops, reset passwords and ask for cards. A general user
 * sees their own entry in full and the names of the administrators, not the others' logons,
 * addresses, limits or cards: those are other people's security data, which a person without an
 * administrative role has no need to know (least privilege). Every query is bound to the viewer's
 * contract; deleted people are left out.
 */
export async function securityOverview(deps: Deps, live: LiveSession): Promise<SecurityOverview> {
  const contractId = live.contract.id;
  const viewerKind = await actorKindOf(deps.db, live.user);
  const users = await deps.db
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', contractId)
    .where('status', '<>', 'deleted')
    .orderBy(sql`role = 'master'`, 'desc')
    .orderBy('user_id')
    .execute();
  const adminRefs = new Set(
    (
      await deps.db
        .selectFrom('user_permission')
        .innerJoin('users', 'users.id', 'user_permission.user_ref')
        .select('user_permission.user_ref')
        .where('users.contract_id', '=', contractId)
        .where('user_permission.business', '=', 'user_admin')
        .execute()
    ).map((row) => row.user_ref),
  );
  const kindOf = (user: (typeof users)[number]): ActorKind => (user.role === 'master' ? 'master' : adminRefs.has(user.id) ? 'admin_user' : 'general_user');
  const administrators = users
    .filter((user) => kindOf(user) !== 'general_user' && user.status === 'active')
    .map((user) => ({ userId: user.user_id, displayName: user.display_name, kind: kindOf(user) }));
  const visible = viewerKind === 'general_user' ? users.filter((user) => user.id === live.user.id) : users;
  const refs = visible.map((user) => user.id);
  if (refs.length === 0) return { contract: contractSummary(live), viewer: { ref: live.user.id, kind: viewerKind }, people: [], administrators };

  const permissions = await deps.db
    .selectFrom('user_permission')
    .innerJoin('users', 'users.id', 'user_permission.user_ref')
    .selectAll('user_permission')
    .where('users.contract_id', '=', contractId)
    .where('user_permission.user_ref', 'in', refs)
    .orderBy('user_permission.business')
    .execute();
  const openAccounts = await deps.db
    .selectFrom('account')
    .select(['id', 'branch_code', 'account_type', 'account_number'])
    .where('contract_id', '=', contractId)
    .where('closed_at', 'is', null)
    .orderBy('branch_code')
    .orderBy('account_type')
    .orderBy('account_number')
    .execute();
  // R1.4: the accounts each person may use (../users/account-use.ts).
  const accountRows = await deps.db
    .selectFrom(['users as person', 'account'])
    .select(['person.id as user_ref', 'account.id as account_id'])
    .where('person.contract_id', '=', contractId)
    .where('person.id', 'in', refs)
    .where(usesAccountSql('person', 'account'))
    .execute();
  const cards = await deps.db
    .selectFrom('grid_card')
    .innerJoin('users', 'users.id', 'grid_card.user_ref')
    .select(['grid_card.user_ref', 'grid_card.serial', 'grid_card.issued_at', 'grid_card.expires_at'])
    .where('users.contract_id', '=', contractId)
    .where('grid_card.user_ref', 'in', refs)
    .where('grid_card.invalidated_at', 'is', null)
    .execute();
  const requests = await deps.db
    .selectFrom('grid_card_request')
    .innerJoin('users', 'users.id', 'grid_card_request.user_ref')
    .select(['grid_card_request.user_ref', 'grid_card_request.requested_at', 'grid_card_request.reason'])
    .where('users.contract_id', '=', contractId)
    .where('grid_card_request.user_ref', 'in', refs)
    .where('grid_card_request.fulfilled_at', 'is', null)
    .where('grid_card_request.cancelled_at', 'is', null)
    .execute();
  // The newest logons of each person, read per person along the (user_ref, at) index.
  const logons = await deps.db
    .selectFrom('users')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('audit_log')
          .select(['audit_log.at', 'audit_log.ip', 'audit_log.outcome', 'audit_log.id'])
          .whereRef('audit_log.user_ref', '=', 'users.id')
          .where('audit_log.contract_id', '=', contractId)
          .where('audit_log.action', '=', 'logon')
          .orderBy('audit_log.at', 'desc')
          .orderBy('audit_log.id', 'desc')
          .limit(recentLogonsPerPerson)
          .as('recent'),
      (join) => join.onTrue(),
    )
    .select(['users.id as user_ref', 'recent.at', 'recent.ip', 'recent.outcome'])
    .where('users.contract_id', '=', contractId)
    .where('users.id', 'in', refs)
    .orderBy('recent.at', 'desc')
    .orderBy('recent.id', 'desc')
    .execute();

  const otpStandings = new Map((await otpAddressStandings(deps.db, contractId)).map((standing) => [standing.ref, standing]));
  const people = visible.map((user): PersonSecurity => {
    const card = cards.find((row) => row.user_ref === user.id);
    const request = requests.find((row) => row.user_ref === user.id);
    const accountIds = new Set(accountRows.filter((row) => row.user_ref === user.id).map((row) => row.account_id));
    return {
      ref: user.id,
      userId: user.user_id,
      displayName: user.display_name,
      kind: kindOf(user),
      status: user.status,
      stoppedAt: user.stopped_at,
      failedAttempts: user.failed_attempts,
      firstLogonPending: user.login_password_hash === null,
      mustChangeLogin: user.must_change_login,
      mustChangeConfirmation: user.must_change_confirmation,
      loginPasswordChangedAt: user.login_password_changed_at,
      confirmationPasswordChangedAt: user.confirmation_password_changed_at,
      permissions: permissions
        .filter((row) => row.user_ref === user.id)
        .map((row) => ({
          business: row.business,
          register: row.can_register,
          approve: row.can_approve,
          send: row.can_send,
          perTransactionLimitYen: row.per_transaction_limit_yen,
          dailyLimitYen: row.daily_limit_yen,
        })),
      accounts: openAccounts
        .filter((account) => accountIds.has(account.id))
        .map((account) => ({ branchCode: account.branch_code, accountType: account.account_type, accountNumber: account.account_number })),
      card: card ? { serial: card.serial, issuedAt: card.issued_at, expiresAt: card.expires_at } : null,
      cardRequest: request ? { requestedAt: request.requested_at, reason: request.reason } : null,
      recentLogons: logons.filter((row) => row.user_ref === user.id).map((row) => ({ at: row.at, ip: row.ip, outcome: row.outcome })),
      otpAddress: { needed: otpStandings.get(user.id)?.needed ?? false, confirmedMasked: otpStandings.get(user.id)?.confirmedMasked },
      token: { serial: user.token_serial, stoppedAt: user.token_stopped_at },
    };
  });
  return { contract: contractSummary(live), viewer: { ref: live.user.id, kind: viewerKind }, people, administrators };
}

function contractSummary(live: LiveSession): SecurityOverview['contract'] {
  return { id: live.contract.id, companyName: live.contract.company_name, lockMode: live.contract.lock_mode };
}
