import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import { isValidContractId } from '../../../domain/contract-id.ts';
import { addDays, tokyoDate } from '../../../domain/business-days.ts';
import { pskcTextBytesMax } from '../../../auth/pskc/xml-tree.ts';
import type { FormState } from '../../../web/form.ts';
import { formText, sentText, sentValue } from '../../../web/form-input.ts';
import { pageContext } from '../../../web/request-context.ts';
import { sendPage } from '../../../web/page-admission.ts';
import { replyStatusOf } from '../../../web/error-status.ts';
import { parseApplicationForm, referenceOf, tokenSerialPattern } from '../../../modules/contracts/application-payload.ts';
import { recordApplication } from '../../../modules/contracts/applications.ts';
import { staffChangeActor } from '../../../modules/contracts/staff-actor.ts';
import { fileRefused, readTokenFile, type FileKeys } from '../../../modules/tokens/import.ts';
import { expiringTokens, expiringWithinDays, listTokens } from '../../../modules/tokens/queries.ts';
import { resyncToken, testTokenCode } from '../../../modules/tokens/help-desk.ts';
import { admitter, chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { tokenPaths } from '../token-paths.ts';
import { consoleUploads } from '../upload-route.ts';
import { isUploadedFile } from '../../../web/upload-parts.ts';
import { contractTokensPage, expiringPage, importPage, tokenListPage, tokenPage, type TokenView } from '../views/tokens.ts';
import { contractIdParam } from './contracts.ts';
import { staffContext } from './staff-context.ts';

/**
 * The console's hardware tokens (R6.2, R6.7, the help desk). Loading a vendor's file and assigning
 * a token to a contract are change applications, recorded here and approved by another member on
 * the application's page; the help desk's test of a code and its resynchronisation are the member's
 * own actions, each recorded in the audit trail under the member's name by the service.
 */
const transportKeyInputMax = 200;
const filePasswordLengthMax = 256;
/** Besides the file: the CSRF token, the reference, the transport key and the password. */
const importFieldsMax = 6;
const importFieldBytesMax = 1024;

/** The serial of the path: anything a token could not be named is simply not found. */
function serialParam(request: ConsoleRequest<'active'>): string {
  const serial = sentText(request.params, 'serial') ?? '';
  if (!tokenSerialPattern.test(serial)) throw new AppError('NOT_FOUND');
  return serial;
}

/** A code as read out over the telephone: six digits, spaces allowed; anything else is refused before the token is asked. */
function codeField(body: unknown, name: string): string {
  const code = formText(body, name, { maxLength: 12, code: 'TOKEN_CODE_FORMAT' }).replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(code)) throw new AppError('TOKEN_CODE_FORMAT', { field: name });
  return code;
}

/** The keys of an encrypted file, as typed; an empty field is no key. */
function fileKeysOf(body: unknown): FileKeys {
  const keys: FileKeys = {};
  const transportKey = sentValue(body, 'transportKey');
  if (transportKey !== undefined) {
    // A key pasted from a letter may come in groups of digits.
    const hex = typeof transportKey === 'string' ? transportKey.replace(/[\s:]/g, '') : undefined;
    if (hex === undefined || hex.length > transportKeyInputMax) throw fileRefused('transport_key_format', undefined, 'transportKey');
    if (hex !== '') keys.transportKeyHex = hex;
  }
  const password = sentValue(body, 'password');
  if (password !== undefined) {
    if (typeof password !== 'string' || password.length > filePasswordLengthMax || /[\p{Cc}\p{Cf}]/u.test(password)) throw new AppError('INPUT_INVALID', { field: 'password' });
    if (password !== '') keys.password = password;
  }
  return keys;
}

/** The vendor's file as text: UTF-8 (a byte order mark is dropped), or refused as not XML. */
function fileText(body: unknown): string {
  const file = sentValue(body, 'file');
  if (!isUploadedFile(file) || file.data.length === 0) throw new AppError('TOKEN_FILE_MISSING', { field: 'file' });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.data);
  } catch {
    throw fileRefused('xml_malformed', undefined, 'file');
  }
}

export async function tokenRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // The list, with a contract filter; a serial typed in opens that token's page.
  const admitActive = admitter(deps, 'active');
  app.get(tokenPaths.list, async (raw, reply) => {
    if (!(await admitActive(raw, reply))) return reply;
    const request = raw as ConsoleRequest<'active'>;
    const page = pageContext(deps, request);
    const chrome = chromeOf(deps, request.staffLive);
    const now = deps.clock.now();
    const shown = async (state: FormState, contractId?: string) => {
      const tokens = await listTokens(deps.db, now, contractId ? { contractId } : {});
      if (state.error) replyStatusOf(reply, state.error);
      return sendPage(reply, tokenListPage(page, chrome, { tokens, contractId, today: tokyoDate(now) }, state));
    };
    const serial = sentText(request.query, 'serial')?.trim();
    if (serial) {
      if (!tokenSerialPattern.test(serial)) return shown({ error: new AppError('TOKEN_SERIAL_INVALID', { field: 'serial' }), values: { serial: serial.slice(0, 40) } });
      const [token] = await listTokens(deps.db, now, { serial });
      if (!token) return shown({ error: new AppError('TOKEN_UNKNOWN', { field: 'serial' }), values: { serial } });
      return reply.redirect(tokenPaths.token(serial), 303);
    }
    const contractId = sentText(request.query, 'contract')?.trim();
    if (contractId) {
      if (!isValidContractId(contractId)) return shown({ error: new AppError('CONTRACT_ID_INVALID', { field: 'contract' }), values: { contract: contractId.slice(0, 20) } });
      return shown({}, contractId);
    }
    return shown({});
  });

  // R6.7: the bank sends a replacement before a token expires.
  consoleGet(app, deps, {
    path: tokenPaths.expiring,
    access: 'active',
    async render(request) {
      const now = deps.clock.now();
      const today = tokyoDate(now);
      const tokens = await expiringTokens(deps.db, now);
      return expiringPage(pageContext(deps, request), chromeOf(deps, request.staffLive), tokens, today, addDays(today, expiringWithinDays));
    },
  });

  // The help desk's page of one token: its contract, its people, state, expiry, last use and drift.
  const tokenView = async (request: ConsoleRequest<'active'>, state: FormState) => {
    const serial = serialParam(request);
    const [token] = await listTokens(deps.db, deps.clock.now(), { serial });
    if (!token) throw new AppError('NOT_FOUND');
    const contract = token.contract ? await deps.db.selectFrom('contract').select('company_name').where('id', '=', token.contract).executeTakeFirst() : undefined;
    const tested = sentText(request.query, 'tested');
    // The page is also the answer to its forms' refusals: its language switch leads to the page itself.
    const page = { ...pageContext(deps, request), path: tokenPaths.token(serial) };
    const view: TokenView = {
      token,
      companyName: contract?.company_name,
      tested: tested === 'accepted' || tested === 'refused' ? tested : undefined,
      resynced: sentText(request.query, 'done') === 'resynced',
    };
    return tokenPage(page, { ...chromeOf(deps, request.staffLive), staff: request.staffLive.staff }, view, state);
  };
  consoleGet(app, deps, { path: `${tokenPaths.list}/:serial`, access: 'active', render: tokenView });
  // R6.8: a right code read out to the help desk is spent, as any use of it is.
  consolePost(app, deps, {
    path: `${tokenPaths.list}/:serial/test`,
    access: 'active',
    render: tokenView,
    async submit(request) {
      const serial = serialParam(request);
      const code = codeField(request.body, 'code');
      const { ok } = await testTokenCode(deps, serial, code, staffChangeActor(staffContext(request)));
      return `${tokenPaths.token(serial)}?tested=${ok ? 'accepted' : 'refused'}`;
    },
  });
  consolePost(app, deps, {
    path: `${tokenPaths.list}/:serial/resync`,
    access: 'active',
    render: tokenView,
    async submit(request) {
      const serial = serialParam(request);
      const first = codeField(request.body, 'first');
      const second = codeField(request.body, 'second');
      await resyncToken(deps, serial, first, second, staffChangeActor(staffContext(request)));
      return `${tokenPaths.token(serial)}?done=resynced`;
    },
  });

  // R6.2: a contract's tokens, and the assignment recorded as a change application.
  const contractView = async (request: ConsoleRequest<'active'>, state: FormState) => {
    const contractId = contractIdParam(request);
    const contract = await deps.db.selectFrom('contract').select('company_name').where('id', '=', contractId).executeTakeFirst();
    if (!contract) throw new AppError('NOT_FOUND');
    const now = deps.clock.now();
    const tokens = await listTokens(deps.db, now, { contractId });
    const page = { ...pageContext(deps, request), path: tokenPaths.contract(contractId) };
    const view = { contractId, companyName: contract.company_name, tokens, feeYen: deps.config.tokenFeeYen, today: tokyoDate(now) };
    return contractTokensPage(page, chromeOf(deps, request.staffLive), view, state);
  };
  consoleGet(app, deps, { path: `${consolePaths.contracts}/:contractId/tokens`, access: 'active', render: contractView });
  consolePost(app, deps, {
    path: `${consolePaths.contracts}/:contractId/tokens/assign`,
    access: 'active',
    echo: ['serial', 'reason', 'reference'],
    render: contractView,
    async submit(request) {
      const input = parseApplicationForm('assign_token', contractIdParam(request), request.body);
      const { id } = await recordApplication(deps, staffContext(request), input);
      return `${consolePaths.application(id)}?done=recorded`;
    },
  });

  // R6.2: the vendor's file, read and its secrets sealed when recorded; the application carries the sealed tokens only.
  const importView = (request: ConsoleRequest<'active'>, state: FormState) =>
    importPage({ ...pageContext(deps, request), path: tokenPaths.importFile }, chromeOf(deps, request.staffLive), state);
  consoleGet(app, deps, { path: tokenPaths.importFile, access: 'active', render: importView });
  await consoleUploads(app, deps, [
    {
      path: tokenPaths.importFile,
      limits: { fileBytesMax: pskcTextBytesMax, fieldsMax: importFieldsMax, fieldBytesMax: importFieldBytesMax },
      tooLarge: () => fileRefused('too_large', undefined, 'file'),
      echo: ['reference'],
      render: importView,
      async submit(request) {
        const reference = referenceOf(request.body);
        const keys = fileKeysOf(request.body);
        const tokens = readTokenFile(deps, fileText(request.body), keys);
        const { id } = await recordApplication(deps, staffContext(request), { contractId: null, reference, payload: { kind: 'import_tokens', tokens } });
        return `${consolePaths.application(id)}?done=recorded`;
      },
    },
  ]);
}
