import type { Deps } from '../../deps.ts';
import { inTransaction, type Executor, type Tx } from '../../db/transaction.ts';
import { recordAudit, type AuditEvent } from '../../audit/audit-trail.ts';
import { AppError } from '../../errors.ts';
import { hardwareTokensFromPskc, type HardwareTokenSeed } from '../../auth/pskc/tokens.ts';
import { PskcRefusal } from '../../auth/pskc/refusal.ts';
import { tokenSecretAssociatedData } from '../../access/hardware-token/secret.ts';
import { catalogues, messageParam, type MessageKey } from '../../web/i18n/index.ts';

/**
 * Who loads, assigns or tests a token, as the audit trail names them (`operator:<name>`,
 * `staff:<login>`), and from where. The contracts' ChangeActor has this shape; it is spelt out here
 * because the console's change applications (src/modules/contracts) call into this module.
 */
export type TokenActor = Pick<AuditEvent, 'actor' | 'ip' | 'userAgent'>;

/** A token as the bank's file gave it, its secret already sealed (house rule 7): what an import stores, or an import application carries. */
export interface SealedToken {
  serial: string;
  secretSealed: string;
  hash: HardwareTokenSeed['hash'];
  expires: string;
}

/** Keys of the vendor's file that unlock its secrets: a pre-shared transport key (hex) or a password. */
export interface FileKeys {
  transportKeyHex?: string;
  password?: string;
}

/**
 * A refused file: the reason in the reader's language (`reason`) and as its code (`reasonCode`, what
 * the operator CLI prints), with the serial of the key at fault ('-' when the file as a whole is).
 */
export function fileRefused(reasonCode: string, serial: string | undefined, field: string): AppError {
  const key = `tokens.reason.${reasonCode}` as MessageKey;
  const reason = messageParam(key in catalogues.ja ? key : 'tokens.reason.other');
  return new AppError('TOKEN_FILE_REFUSED', { field, params: { reason, reasonCode, serial: serial ?? '-' } });
}

/**
 * R6.2: reads the vendor's PSKC file and seals each secret at once; the file itself is never kept.
 * A file is refused whole, with the serial of the key at fault and the reason (TOKEN_FILE_REFUSED).
 */
export function readTokenFile(deps: Deps, text: string, keys: FileKeys): SealedToken[] {
  let transportKey: Buffer | undefined;
  if (keys.transportKeyHex !== undefined) {
    if (!/^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(keys.transportKeyHex)) {
      throw fileRefused('transport_key_format', undefined, 'transportKey');
    }
    transportKey = Buffer.from(keys.transportKeyHex, 'hex');
  }
  let seeds: HardwareTokenSeed[];
  try {
    seeds = hardwareTokensFromPskc(text, { ...(transportKey ? { transportKey } : {}), ...(keys.password ? { password: keys.password } : {}) });
  } catch (error) {
    if (error instanceof PskcRefusal) throw fileRefused(error.reason, error.serial, 'file');
    throw error;
  }
  return seeds.map((seed) => ({
    serial: seed.serial,
    secretSealed: deps.keyring.seal(seed.secret.toString('base64'), tokenSecretAssociatedData(seed.serial)),
    hash: seed.hash,
    expires: seed.expires,
  }));
}

/** R6.2: refuses tokens the bank already holds, naming the first such serial (TOKEN_SERIAL_EXISTS). */
export async function refuseHeldSerials(executor: Executor, tokens: readonly Pick<SealedToken, 'serial'>[]): Promise<void> {
  if (tokens.length === 0) return;
  const held = await executor.selectFrom('hardware_token').select('serial').where('serial', 'in', tokens.map((t) => t.serial)).orderBy('serial').executeTakeFirst();
  if (held) throw new AppError('TOKEN_SERIAL_EXISTS', { field: 'file', params: { serial: held.serial } });
}

/**
 * R6.2: stores the tokens of one file in the caller's transaction (the console's approval of an
 * import application), all or none: a serial the bank already holds refuses the whole file.
 */
export async function storeTokensInTx(deps: Deps, tx: Tx, tokens: readonly SealedToken[], by: TokenActor): Promise<void> {
  const now = deps.clock.now();
  // One statement is the gate (house rule 4): a serial held already, or stored by an import
  // committing meanwhile, is left out, and a file not stored whole is refused, naming that serial.
  const inserted = await tx
    .insertInto('hardware_token')
    .values(tokens.map((t) => ({ serial: t.serial, secret_sealed: t.secretSealed, hash: t.hash, digits: 6, step_seconds: 60, expires_on: t.expires, imported_at: now, imported_by: by.actor })))
    .onConflict((conflict) => conflict.column('serial').doNothing())
    .returning('serial')
    .execute();
  if (inserted.length < tokens.length) {
    const stored = new Set(inserted.map((row) => row.serial));
    const held = tokens.map((t) => t.serial).filter((serial) => !stored.has(serial)).sort()[0]!;
    // The throw rolls back what this file did store.
    throw new AppError('TOKEN_SERIAL_EXISTS', { field: 'file', params: { serial: held } });
  }
  await recordAudit(tx, {
    at: now,
    contractId: null,
    userRef: null,
    actor: by.actor,
    ip: by.ip,
    userAgent: by.userAgent,
    action: 'token.import',
    outcome: 'success',
    details: { count: tokens.length, serials: tokens.map((t) => t.serial) },
  });
}

/** R6.2: the operator CLI's import, in a transaction of its own. */
export async function storeTokens(deps: Deps, tokens: readonly SealedToken[], by: TokenActor): Promise<void> {
  await inTransaction(deps.db, (tx) => storeTokensInTx(deps, tx, tokens, by));
}
