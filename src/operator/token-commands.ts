import { readFileSync } from 'node:fs';
import type { Deps } from '../deps.ts';
import { isAppError, type AppError } from '../errors.ts';
import { translator } from '../web/i18n/index.ts';
import { OperatorInputError } from '../modules/contracts/operator-input.ts';
import { operatorActor, recordBankChange } from '../modules/contracts/change-actor.ts';
import { readTokenFile, storeTokens } from '../modules/tokens/import.ts';
import { assignTokenInTx, isAssignReason, tokenAssignReasons } from '../modules/tokens/assign.ts';
import { listTokens, tokenJson } from '../modules/tokens/queries.ts';
import { resyncToken, testTokenCode } from '../modules/tokens/help-desk.ts';
import { inTransaction } from '../db/transaction.ts';
import { tokenFailuresMax } from '../access/hardware-token/check.ts';
import { notifyTokenChange } from '../access/hardware-token/notices.ts';

/** The operator's hardware-token commands (R6.2, R6.7, help desk); the usage in cli.ts describes them. */
export interface TokenCommandInput {
  person(): { contractId: string; userId: string; operator: string };
  values: { file?: string; 'transport-key'?: string; password?: string; serial?: string; otp?: string; 'next-otp'?: string; contract?: string; reason?: string; on?: boolean; off?: boolean };
  operator: string;
  need(name: 'file' | 'serial' | 'otp' | 'next-otp'): string;
  contract(): string;
}

type Printed = { text: string; json: unknown };
type Action = (deps: Deps) => Promise<Printed>;

/** A refusal of a use case is the operator's input error, with its message in English and its fields for scripts. */
const english = translator('en');
async function refusedAsInput<T>(run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw new OperatorInputError(english(error.messageKey, error.params), fieldsOf(error));
  }
}

function fieldsOf(error: AppError): Record<string, string> {
  const fields: Record<string, string> = { code: error.code };
  if (error.params.serial !== undefined) fields.serial = error.params.serial;
  if (error.params.reasonCode !== undefined) fields.reason = error.params.reasonCode;
  return fields;
}

const serialPattern = /^[A-Za-z0-9-]{1,32}$/;

function serialOf(input: TokenCommandInput): string {
  const serial = input.need('serial');
  if (!serialPattern.test(serial)) throw new OperatorInputError('--serial must be 1–32 letters, digits and hyphens');
  return serial;
}

export const tokenCommands: Record<string, (input: TokenCommandInput) => Action> = {
  // R6.2: the vendor's PSKC file, imported whole or not at all; the file itself is not kept.
  'token-import': (input) => {
    const path = input.need('file');
    const keys = { transportKeyHex: input.values['transport-key'], password: input.values.password };
    if (keys.transportKeyHex !== undefined && keys.password !== undefined) throw new OperatorInputError('give --transport-key or --password, not both');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new OperatorInputError(`cannot read ${path}`);
    }
    return async (deps) => {
      const tokens = await refusedAsInput(() => readTokenFile(deps, text, keys));
      await refusedAsInput(() => storeTokens(deps, tokens, operatorActor(input.operator)));
      return {
        json: { imported: tokens.length, tokens: tokens.map((t) => ({ serial: t.serial, expires: t.expires })) },
        text: [`Imported ${tokens.length} token(s):`, ...tokens.map((t) => `  ${t.serial.padEnd(32)} expires ${t.expires}`)].join('\n'),
      };
    };
  },

  'token-list': (input) => {
    const contractId = input.values.contract === undefined ? undefined : input.contract();
    return async (deps) => {
      const tokens = await listTokens(deps.db, deps.clock.now(), contractId === undefined ? {} : { contractId });
      return {
        json: tokens.map(tokenJson),
        text: tokens.length === 0 ? 'No tokens.' : tokens.map((t) => `${t.serial.padEnd(32)} ${t.state.padEnd(10)} ${t.expires} ${t.contract ?? '-'} ${t.users.join(',')}`).join('\n'),
      };
    };
  },

  // R6.2: assigned on the contract's application; the fee, when one is due, is debited at once.
  'token-assign': (input) => {
    const serial = serialOf(input);
    const contractId = input.contract();
    const reason = input.values.reason ?? 'new';
    if (!isAssignReason(reason)) throw new OperatorInputError(`--reason must be one of ${tokenAssignReasons.join(', ')}`);
    return async (deps) => {
      const done = await refusedAsInput(() => inTransaction(deps.db, (tx) => assignTokenInTx(deps, tx, { serial, contractId, reason, by: operatorActor(input.operator) })));
      return {
        json: { serial, contract: contractId, reason, feeYen: Number(done.feeYen) },
        text: `Token ${serial} assigned to ${contractId} (${reason}); fee ${done.feeYen} yen.`,
      };
    };
  },

  // R6.8: the help desk tests a code a customer reads out; an accepted code is spent.
  'token-test': (input) => {
    const serial = serialOf(input);
    const otp = input.need('otp');
    return async (deps) => {
      const { ok } = await refusedAsInput(() => testTokenCode(deps, serial, otp, operatorActor(input.operator)));
      return { json: { ok }, text: ok ? `The code is right for token ${serial} (now spent).` : `The code is not accepted for token ${serial}.` };
    };
  },

  // R6.5: where a transfer step would ask for both the email one-time password and the token, the
  // bank's setting for the contract: both (the default, off) or the token alone (on).
  'token-alone': (input) => {
    const contractId = input.contract();
    if (Boolean(input.values.on) === Boolean(input.values.off)) throw new OperatorInputError('give exactly one of --on and --off');
    const alone = input.values.on === true;
    return async (deps) => {
      const changed = await inTransaction(deps.db, async (tx) => {
        const row = await tx
          .updateTable('contract')
          .set({ token_replaces_email_otp: alone })
          .where('id', '=', contractId)
          .where('token_replaces_email_otp', '=', !alone)
          .returning('id')
          .executeTakeFirst();
        const exists = row ?? (await tx.selectFrom('contract').select('id').where('id', '=', contractId).executeTakeFirst());
        if (!exists) throw new OperatorInputError(`no contract ${contractId}`);
        if (row) await recordBankChange(tx, operatorActor(input.operator), { at: deps.clock.now(), contractId, userRef: null, action: 'contract.token_alone', details: { tokenAlone: alone } });
        return row !== undefined;
      });
      return {
        json: { contractId, tokenAlone: alone, changed },
        text: `${contractId}: transfers that need a token ask for ${alone ? 'the token alone' : 'the token and the email one-time password'}${changed ? '' : ' (already so; nothing changed)'}.`,
      };
    };
  },

  // R6.6: the stop of a person's token use, lifted by the bank — the master's, whom nobody else
  // of the contract may lift when there is no other administrator.
  'token-lift-stop': (input) => {
    const target = input.person();
    return async (deps) => {
      const lifted = await inTransaction(deps.db, async (tx) => {
        const person = await tx.selectFrom('users').selectAll().where('contract_id', '=', target.contractId).where('user_id', '=', target.userId).executeTakeFirst();
        if (!person) throw new OperatorInputError(`no user ${target.userId} in contract ${target.contractId}`);
        const row = await tx
          .updateTable('users')
          .set({ token_stopped_at: null, token_failed_attempts: 0 })
          .where('id', '=', person.id)
          .where((eb) => eb.or([eb('token_stopped_at', 'is not', null), eb('token_failed_attempts', '>=', tokenFailuresMax)]))
          .returning('id')
          .executeTakeFirst();
        if (!row) return false;
        const now = deps.clock.now();
        await recordBankChange(tx, operatorActor(input.operator), { at: now, contractId: target.contractId, userRef: person.id, action: 'token.lift_stop', details: { subjectUserId: person.user_id } });
        await notifyTokenChange(deps, tx, person, { actorLabel: deps.config.bankName, what: 'hardwareToken.notice.lifted', ip: '-', at: now });
        return true;
      });
      return {
        json: { contractId: target.contractId, userId: target.userId, lifted },
        text: lifted ? `Token stop lifted for ${target.contractId}/${target.userId}; the person and the master were told.` : `${target.contractId}/${target.userId}: the token use was not stopped; nothing changed.`,
      };
    };
  },

  'token-resync': (input) => {
    const serial = serialOf(input);
    const first = input.need('otp');
    const second = input.need('next-otp');
    return async (deps) => {
      const { driftSteps } = await refusedAsInput(() => resyncToken(deps, serial, first, second, operatorActor(input.operator)));
      return { json: { serial, driftSteps }, text: `Token ${serial} resynchronised: its clock is ${driftSteps} step(s) off.` };
    };
  },
};
