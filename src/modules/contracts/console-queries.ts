import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { ApplicationStatus, CardRequestReason, Contract, LockMode, Role, UserStatus } from '../../db/schema.ts';
import { isValidContractId } from '../../domain/contract-id.ts';
import type { ChangeKind } from './application-payload.ts';
import { usableGridCardSql } from '../../access/grid-card-standing.ts';

/**
 * What the bank's staff read in the console: contracts found by ID or company name, a contract with
 * its people, cards, stops and recent security events, and the change applications.
 */
export const searchResultsMax = 50;
export const recentEventsShown = 30;
export const contractApplicationsShown = 20;
export const recentDecisionsShown = 20;

export interface ContractHit {
  id: string;
  company_name: string;
  lock_mode: LockMode;
  stopped_at: Date | null;
  created_at: Date;
}

/** An 11-digit ID with a valid check digit finds that contract; anything else searches company names. */
export async function searchContracts(deps: Deps, query: string): Promise<ContractHit[]> {
  const base = deps.db.selectFrom('contract').select(['id', 'company_name', 'lock_mode', 'stopped_at', 'created_at']);
  if (isValidContractId(query)) return base.where('id', '=', query).execute();
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return base.where(sql<boolean>`company_name ILIKE ${pattern}`).orderBy('company_name').orderBy('id').limit(searchResultsMax).execute();
}

export interface PersonRow {
  id: number;
  user_id: string;
  display_name: string;
  role: Role;
  status: UserStatus;
  email: string | null;
  /** R7.3: when the owner confirmed `email`, and an address an administrator set that waits for the owner's code. */
  email_confirmed_at: Date | null;
  unconfirmed_email: string | null;
  stopped_at: Date | null;
  failed_attempts: number;
  login_password_changed_at: Date | null;
  card_serial: string | null;
  card_expires_at: Date | null;
  request_reason: CardRequestReason | null;
  requested_at: Date | null;
  /** R4.1: the person's valid (not revoked) certificate. */
  certificate_serial: string | null;
  certificate_not_after: Date | null;
}

export interface EventRow {
  at: Date;
  actor: string;
  action: string;
  outcome: 'success' | 'failure' | 'info';
  reason: string | null;
  ip: string | null;
  user_id: string | null;
}

export interface ApplicationRow {
  id: number;
  contract_id: string | null;
  company_name: string | null;
  kind: ChangeKind;
  payload: Record<string, unknown>;
  reference: string;
  status: ApplicationStatus;
  recorded_by: number;
  recorded_login: string;
  recorded_name: string;
  recorded_at: Date;
  decided_by: number | null;
  decided_login: string | null;
  decided_name: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  result: Record<string, unknown> | null;
}

export interface ContractOverview {
  contract: Contract;
  people: PersonRow[];
  events: EventRow[];
  applications: ApplicationRow[];
}

export async function contractOverview(deps: Deps, contractId: string): Promise<ContractOverview | undefined> {
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirst();
  if (!contract) return undefined;
  const now = deps.clock.now();
  const people = await deps.db
    .selectFrom('users')
    .leftJoin('grid_card', (join) =>
      join.onRef('grid_card.user_ref', '=', 'users.id').on(usableGridCardSql('grid_card', now)),
    )
    .leftJoin('grid_card_request', (join) =>
      join.onRef('grid_card_request.user_ref', '=', 'users.id').on('grid_card_request.fulfilled_at', 'is', null).on('grid_card_request.cancelled_at', 'is', null),
    )
    .leftJoin('client_certificate', (join) => join.onRef('client_certificate.user_ref', '=', 'users.id').on('client_certificate.revoked_at', 'is', null))
    .select([
      'users.id',
      'users.user_id',
      'users.display_name',
      'users.role',
      'users.status',
      'users.email',
      'users.email_confirmed_at',
      'users.unconfirmed_email',
      'users.stopped_at',
      'users.failed_attempts',
      'users.login_password_changed_at',
      'grid_card.serial as card_serial',
      'grid_card.expires_at as card_expires_at',
      'grid_card_request.reason as request_reason',
      'grid_card_request.requested_at',
      'client_certificate.serial_hex as certificate_serial',
      'client_certificate.not_after as certificate_not_after',
    ])
    .where('users.contract_id', '=', contractId)
    // The master first, then users by ID.
    .orderBy(sql`users.role = 'master'`, 'desc')
    .orderBy('users.user_id')
    .execute();
  const events = await deps.db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.user_ref')
    .select(['audit_log.at', 'audit_log.actor', 'audit_log.action', 'audit_log.outcome', 'audit_log.reason', 'audit_log.ip', 'users.user_id'])
    .where('audit_log.contract_id', '=', contractId)
    .orderBy('audit_log.id', 'desc')
    .limit(recentEventsShown)
    .execute();
  const applications = await applicationsQuery(deps).where('change_application.contract_id', '=', contractId).orderBy('change_application.id', 'desc').limit(contractApplicationsShown).execute();
  return { contract, people, events, applications: applications as ApplicationRow[] };
}

function applicationsQuery(deps: Deps) {
  return deps.db
    .selectFrom('change_application')
    .innerJoin('staff as recorder', 'recorder.id', 'change_application.recorded_by')
    .leftJoin('staff as decider', 'decider.id', 'change_application.decided_by')
    .leftJoin('contract', 'contract.id', 'change_application.contract_id')
    .select([
      'change_application.id',
      'change_application.contract_id',
      'contract.company_name',
      'change_application.kind',
      'change_application.payload',
      'change_application.reference',
      'change_application.status',
      'change_application.recorded_by',
      'recorder.login_id as recorded_login',
      'recorder.display_name as recorded_name',
      'change_application.recorded_at',
      'change_application.decided_by',
      'decider.login_id as decided_login',
      'decider.display_name as decided_name',
      'change_application.decided_at',
      'change_application.decision_note',
      'change_application.result',
    ]);
}

/** The pending queue, oldest first, and the latest decisions. */
export async function applicationQueue(deps: Deps): Promise<{ pending: ApplicationRow[]; recent: ApplicationRow[] }> {
  const pending = await applicationsQuery(deps).where('change_application.status', '=', 'pending').orderBy('change_application.recorded_at').orderBy('change_application.id').execute();
  const recent = await applicationsQuery(deps).where('change_application.status', '<>', 'pending').orderBy('change_application.decided_at', 'desc').orderBy('change_application.id', 'desc').limit(recentDecisionsShown).execute();
  return { pending: pending as ApplicationRow[], recent: recent as ApplicationRow[] };
}

export async function applicationById(deps: Deps, id: number): Promise<ApplicationRow | undefined> {
  return (await applicationsQuery(deps).where('change_application.id', '=', id).executeTakeFirst()) as ApplicationRow | undefined;
}
