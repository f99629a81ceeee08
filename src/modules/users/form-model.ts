import { sentText, sentValue } from '../../web/form-input.ts';
import { businesses, hasLimits, hasSteps, steps, type Business, type Step } from '../../domain/permissions.ts';
import type { PersonRecord } from './repository.ts';
import { administeredAddress } from './address.ts';
import { accountFieldName, checkboxName, dailyName, perTransactionName, stepName } from './form-input.ts';

/**
 * What a users form shows: a person's values as stored, or, after a refused submission, what was
 * typed (text only, never a password), so the person can correct it.
 */
export interface GrantModel {
  granted: boolean;
  steps: Set<Step>;
  perTransaction: string;
  daily: string;
}

export interface FormModel {
  userId: string;
  displayName: string;
  email: string;
  grants: Record<Business, GrantModel>;
  accountIds: Set<number>;
}

const echoLengthMax = 100;

function emptyGrants(): Record<Business, GrantModel> {
  const none = (): GrantModel => ({ granted: false, steps: new Set<Step>(), perTransaction: '', daily: '' });
  return { inquiry: none(), transfer: none(), tax_payment: none(), bulk_transfer: none(), user_admin: none() };
}

export function emptyModel(): FormModel {
  return { userId: '', displayName: '', email: '', grants: emptyGrants(), accountIds: new Set() };
}

export function modelFromRecord(record: PersonRecord): FormModel {
  const grants = emptyGrants();
  for (const grant of record.person.grants) {
    grants[grant.business] = {
      granted: true,
      steps: new Set(hasSteps(grant.business) ? grant.steps : []),
      perTransaction: grant.perTransactionLimitYen?.toString() ?? '',
      daily: grant.dailyLimitYen?.toString() ?? '',
    };
  }
  return {
    userId: record.user.user_id,
    displayName: record.user.display_name,
    email: administeredAddress(record.user),
    grants,
    accountIds: new Set(record.person.accountIds),
  };
}

export function modelFromBody(body: unknown): FormModel {
  const text = (name: string) => sentText(body, name)?.slice(0, echoLengthMax) ?? '';
  const ticked = (name: string) => sentValue(body, name) === '1';
  const grants = emptyGrants();
  for (const business of businesses) {
    grants[business] = {
      granted: ticked(checkboxName(business)),
      steps: new Set(hasSteps(business) ? steps.filter((step) => ticked(stepName(business, step))) : []),
      perTransaction: hasLimits(business) ? text(perTransactionName(business)) : '',
      daily: hasLimits(business) ? text(dailyName(business)) : '',
    };
  }
  const accounts = sentValue(body, accountFieldName);
  const accountValues = (Array.isArray(accounts) ? accounts : [accounts]).filter((v): v is string => typeof v === 'string' && /^[0-9]{1,9}$/.test(v));
  return {
    userId: text('userId'),
    displayName: text('displayName'),
    email: text('email'),
    grants,
    accountIds: new Set(accountValues.map(Number)),
  };
}
