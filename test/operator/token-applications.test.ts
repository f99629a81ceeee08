import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, tokyoDate } from '../../src/domain/business-days.ts';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import type { Client } from '../helpers/client.ts';
import { onboardMaster } from '../helpers/people.ts';
import { assertNoStackTrace, en, ja } from '../helpers/http-app.ts';
import { addAccount, balanceOf } from '../transfers/fixtures.ts';
import { codeAt, stepAt, type TotpParameters } from '../../src/auth/token-totp.ts';
import { tokenSecretAssociatedData } from '../../src/access/hardware-token/secret.ts';
import { operatorActor } from '../../src/modules/contracts/change-actor.ts';
import { readTokenFile, storeTokens } from '../../src/modules/tokens/import.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { applicationIdOf, decide, errorCode, newStaff, staffLogon, startConsole, type TestConsole } from './console-support.ts';
import { formatDay } from '../../src/domain/display-date.ts';

/**
 * R6.2 and the help desk on the console: a vendor's PSKC file and a token's assignment to a contract
 * are change applications, recorded by one member and carried out when another approves; the help
 * desk finds a token, tests a code a customer reads out (spent once, R6.8) and resynchronises a
 * drifting token from two consecutive codes.
 */
let database: TestDatabase;
let t: TestConsole;
let recorder: StaffCredentials;
let approver: StaffCredentials;
let secondApprover: StaffCredentials;
let recorderClient: Client;
let approverClient: Client;
let secondApproverClient: Client;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
  recorder = await newStaff(t.deps, 'recorder');
  approver = await newStaff(t.deps, 'approver');
  secondApprover = await newStaff(t.deps, 'approver');
  recorderClient = await staffLogon(t, recorder);
  approverClient = await staffLogon(t, approver);
  secondApproverClient = await staffLogon(t, secondApprover);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

/** Text to find as it is, inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const totp: TotpParameters = { hash: 'sha1', digits: 6, stepSeconds: 60 };
const importPath = '/operator/token-import';
const pskcNamespace = 'urn:ietf:params:xml:ns:keyprov:pskc';

interface FixtureToken {
  serial: string;
  secret: Buffer;
  expires: string;
  algorithm?: 'totp' | 'hotp';
}

let serialCounter = 0;
/** A token of a vendor's delivery: a fresh serial and a random 20-byte secret. */
function fixtureToken(options: { expires?: string; algorithm?: 'totp' | 'hotp' } = {}): FixtureToken {
  serialCounter++;
  return { serial: `TK${process.pid % 1000}-${String(serialCounter).padStart(4, '0')}`, secret: randomBytes(20), expires: options.expires ?? '2030-12-31', ...options };
}

function keyXml(token: FixtureToken, secretXml: string): string {
  const algorithm = token.algorithm ?? 'totp';
  const interval = algorithm === 'totp' ? '<pskc:TimeInterval><pskc:PlainValue>60</pskc:PlainValue></pskc:TimeInterval>' : '<pskc:Counter><pskc:PlainValue>0</pskc:PlainValue></pskc:Counter>';
  return `
 <pskc:KeyPackage>
  <pskc:DeviceInfo><pskc:Manufacturer>ExampleVendor</pskc:Manufacturer><pskc:SerialNo>${token.serial}</pskc:SerialNo></pskc:DeviceInfo>
  <pskc:Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:${algorithm}" Id="${token.serial}">
   <pskc:AlgorithmParameters><pskc:ResponseFormat Encoding="DECIMAL" Length="6"/></pskc:AlgorithmParameters>
   <pskc:Data>
    <pskc:Secret>${secretXml}</pskc:Secret>
    ${interval}
   </pskc:Data>
   <pskc:Policy><pskc:ExpiryDate>${token.expires}T00:00:00Z</pskc:ExpiryDate></pskc:Policy>
  </pskc:Key>
 </pskc:KeyPackage>`;
}

/** A plaintext PSKC file (RFC 6030 §4), as a vendor's tool writes one. */
function plainFile(tokens: FixtureToken[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer xmlns:pskc="${pskcNamespace}" Version="1.0">${tokens
    .map((token) => keyXml(token, `<pskc:PlainValue>${token.secret.toString('base64')}</pskc:PlainValue>`))
    .join('')}
</pskc:KeyContainer>`;
}

/** RFC 6030 §6.1: the secrets AES-128-CBC under a pre-shared transport key, each with its HMAC-SHA256 under the file's MAC key. */
function encryptedFile(tokens: FixtureToken[], transportKey: Buffer, options: { tamper?: string } = {}): string {
  const encrypt = (plain: Buffer) => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', transportKey, iv);
    return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
  };
  const macKey = randomBytes(20);
  const cipherValue = (value: Buffer) => `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><xenc:CipherData><xenc:CipherValue>${value.toString('base64')}</xenc:CipherValue></xenc:CipherData>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:pskc="${pskcNamespace}" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Version="1.0">
 <pskc:EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></pskc:EncryptionKey>
 <pskc:MACMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"><pskc:MACKey>${cipherValue(encrypt(macKey))}</pskc:MACKey></pskc:MACMethod>${tokens
    .map((token) => {
      const sealed = encrypt(token.secret);
      const mac = createHmac('sha256', macKey).update(sealed).digest();
      // A tampered ciphertext keeps the MAC of the original (its first byte after the IV: the padding still reads well).
      if (options.tamper === token.serial) sealed.writeUInt8(sealed.readUInt8(16) ^ 0x01, 16);
      return keyXml(token, `<pskc:EncryptedValue>${cipherValue(sealed)}</pskc:EncryptedValue><pskc:ValueMAC>${mac.toString('base64')}</pskc:ValueMAC>`);
    })
    .join('')}
</pskc:KeyContainer>`;
}

/**
 * Sends the import form as a browser does (multipart/form-data): the page's CSRF token first, then
 * the text fields, then the file.
 */
async function upload(
  client: Client,
  fields: Record<string, string>,
  file: { name?: string; content: string | Buffer } | undefined,
  options: { csrf?: string | null } = {},
): Promise<LightMyRequestResponse> {
  await client.get(importPath);
  const csrf = options.csrf === undefined ? client.csrf : options.csrf;
  const boundary = `----form${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries({ ...(csrf ? { _csrf: csrf } : {}), ...fields })) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name ?? 'tokens.pskcxml'}"\r\nContent-Type: application/xml\r\n\r\n`));
    chunks.push(Buffer.from(file.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return client.app.inject({
    method: 'POST',
    url: importPath,
    headers: { cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(chunks),
    remoteAddress: client.ip,
  });
}

async function storedSerials(serials: string[]): Promise<string[]> {
  const rows = await t.deps.db.selectFrom('hardware_token').select('serial').where('serial', 'in', serials).orderBy('serial').execute();
  return rows.map((row) => row.serial);
}

async function applicationCount(): Promise<number> {
  const row = await t.deps.db.selectFrom('change_application').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The text of the page's error box, for its serial and reason. */
function errorText(body: string): string {
  return /<div class="error" role="alert" id="form-error"[^>]*>([^<]*)<\/div>/.exec(body)?.[1] ?? '';
}

/** Tokens the bank holds already, loaded as the operator CLI does. */
async function heldTokens(tokens: FixtureToken[]): Promise<void> {
  await storeTokens(t.deps, readTokenFile(t.deps, plainFile(tokens), {}), operatorActor('test'));
}

test('a PSKC file recorded by one member is stored, sealed, when another approves; the one who recorded it cannot approve it', async () => {
  const tokens = [fixtureToken(), fixtureToken(), fixtureToken({ expires: '2031-03-31' })];
  const serials = tokens.map((token) => token.serial);
  const form = await secondApproverClient.get(importPath);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /enctype="multipart\/form-data"/);

  // Recorded by an approver, who may record but never decide their own application.
  const recorded = await upload(secondApproverClient, { reference: 'TOKEN-IMPORT-1', transportKey: '', password: '' }, { content: plainFile(tokens) });
  const id = applicationIdOf(recorded);
  assert.deepEqual(await storedSerials(serials), [], 'recorded is not done');

  // The application carries the sealed tokens only: never the file, never a secret in clear.
  const application = await t.deps.db.selectFrom('change_application').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(application.kind, 'import_tokens');
  assert.equal(application.contract_id, null);
  const stored = JSON.stringify(application.payload);
  for (const token of tokens) {
    assert.ok(!stored.includes(token.secret.toString('base64')), 'no secret in clear');
    assert.ok(!stored.includes(token.secret.toString('hex')));
  }
  assert.doesNotMatch(stored, /KeyContainer|PlainValue/, 'the file is not kept');
  assert.deepEqual(
    (application.payload.tokens as { serial: string; expires: string; secretSealed: string }[]).map((token) => [token.serial, token.expires, typeof token.secretSealed]),
    tokens.map((token) => [token.serial, token.expires, 'string']),
  );

  // The approver sees each serial with its expiry date.
  const page = await approverClient.get(`/operator/applications/${id}`);
  assert.match(page.body, /id="imported-tokens"/);
  for (const token of tokens) assert.match(page.body, new RegExp(`<td>${token.serial}</td><td>${escapeRegExp(formatDay(token.expires, 'ja'))}</td>`), 'the expiry day through the one date formatter');
  assert.match(page.body, /id="approve"/);

  const own = await decide(secondApproverClient, id, 'approve');
  assert.equal(own.statusCode, 403);
  assert.equal(errorCode(own.body), 'OPERATOR_OWN_APPLICATION');
  const byRecorder = await decide(recorderClient, id, 'approve');
  assert.equal(byRecorder.statusCode, 403);
  assert.equal(errorCode(byRecorder.body), 'OPERATOR_ROLE_REFUSED');
  assert.deepEqual(await storedSerials(serials), []);

  const approved = await decide(approverClient, id, 'approve');
  assert.equal(approved.headers.location, `/operator/applications/${id}?done=approved`);
  const rows = await t.deps.db.selectFrom('hardware_token').selectAll().where('serial', 'in', serials).orderBy('serial').execute();
  assert.deepEqual(
    rows.map((row) => [row.serial, row.expires_on, row.contract_id, row.imported_by]),
    tokens.map((token) => [token.serial, token.expires, null, `staff:${approver.login}`]),
  );
  for (const row of rows) {
    const token = tokens.find((candidate) => candidate.serial === row.serial)!;
    assert.ok(!row.secret_sealed.includes(token.secret.toString('base64')), 'the stored secret is sealed');
    assert.equal(t.deps.keyring.open(row.secret_sealed, tokenSecretAssociatedData(row.serial)), token.secret.toString('base64'));
  }
  const result = await approverClient.get(`/operator/applications/${id}`);
  assert.match(result.body, /id="application-result"/);
  assert.match(result.body, /data-status="approved"/);

  // The trail: recorded by one, approved and stored by the other; no sealed secret in its details.
  const trail = await t.deps.db.selectFrom('audit_log').select(['actor', 'action', 'outcome', 'details']).where('action', 'in', ['application.record', 'application.approve', 'token.import']).orderBy('id', 'desc').limit(5).execute();
  assert.deepEqual(
    trail.reverse().map((row) => [row.actor, row.action, row.outcome]),
    [
      [`staff:${secondApprover.login}`, 'application.record', 'success'],
      [`staff:${secondApprover.login}`, 'application.approve', 'failure'],
      [`staff:${recorder.login}`, 'application.approve', 'failure'],
      [`staff:${approver.login}`, 'token.import', 'success'],
      [`staff:${approver.login}`, 'application.approve', 'success'],
    ],
  );
  for (const row of trail) assert.doesNotMatch(JSON.stringify(row.details), /secretSealed/);

  // Recording the same file again is refused at once, naming a serial already stored.
  const again = await upload(recorderClient, { reference: 'TOKEN-IMPORT-2' }, { content: plainFile(tokens) });
  assert.equal(again.statusCode, 409);
  assert.equal(errorCode(again.body), 'TOKEN_SERIAL_EXISTS');
  assert.match(errorText(again.body), new RegExp(serials[0]!));
});

test('a refused file shows its reason and serial on the same page, in the member’s language, and records nothing', async () => {
  const before = await applicationCount();
  const good = fixtureToken();
  const hotp = fixtureToken({ algorithm: 'hotp' });

  const counter = await upload(recorderClient, { reference: 'TOKEN-HOTP' }, { content: plainFile([good, hotp]) });
  assert.equal(counter.statusCode, 400);
  assert.equal(errorCode(counter.body), 'TOKEN_FILE_REFUSED');
  assert.ok(errorText(counter.body).includes(hotp.serial), 'the serial at fault');
  assert.ok(errorText(counter.body).includes(ja('tokens.reason.not_totp')), 'the reason, in Japanese');
  assert.match(counter.body, /id="import-tokens"/, 'the same page, its form again');
  assert.match(counter.body, /value="TOKEN-HOTP"/, 'the reference typed is kept');
  assertNoStackTrace(counter);

  // A ciphertext changed after its MAC was made; the same file untouched reads well with the key.
  const transportKey = randomBytes(16);
  const sealed = [fixtureToken(), fixtureToken()];
  assert.equal(readTokenFile(t.deps, encryptedFile(sealed, transportKey), { transportKeyHex: transportKey.toString('hex') }).length, 2);
  await recorderClient.get(`${importPath}?lang=en`);
  const tampered = await upload(recorderClient, { reference: 'TOKEN-MAC', transportKey: transportKey.toString('hex') }, { content: encryptedFile(sealed, transportKey, { tamper: sealed[1]!.serial }) });
  assert.equal(tampered.statusCode, 400);
  assert.equal(errorCode(tampered.body), 'TOKEN_FILE_REFUSED');
  assert.ok(errorText(tampered.body).includes(sealed[1]!.serial));
  assert.ok(errorText(tampered.body).includes(en('tokens.reason.mac_mismatch')), 'the reason, in English');
  assert.doesNotMatch(tampered.body, new RegExp(transportKey.toString('hex')), 'the key typed is not shown again');
  // Without the key, the file says what it needs.
  const keyless = await upload(recorderClient, { reference: 'TOKEN-MAC' }, { content: encryptedFile(sealed, transportKey) });
  assert.ok(errorText(keyless.body).includes(en('tokens.reason.key_required')));
  const badKey = await upload(recorderClient, { reference: 'TOKEN-MAC', transportKey: 'not hex' }, { content: encryptedFile(sealed, transportKey) });
  assert.ok(errorText(badKey.body).includes(en('tokens.reason.transport_key_format')));
  await recorderClient.get(`${importPath}?lang=ja`);

  const noFile = await upload(recorderClient, { reference: 'TOKEN-NONE' }, undefined);
  assert.equal(errorCode(noFile.body), 'TOKEN_FILE_MISSING');
  const emptyFile = await upload(recorderClient, { reference: 'TOKEN-NONE' }, { content: '' });
  assert.equal(errorCode(emptyFile.body), 'TOKEN_FILE_MISSING');
  const notXml = await upload(recorderClient, { reference: 'TOKEN-JUNK' }, { content: Buffer.from([0xff, 0xfe, 0x00, 0x3c]) });
  assert.equal(errorCode(notXml.body), 'TOKEN_FILE_REFUSED');
  const noReference = await upload(recorderClient, { reference: '' }, { content: plainFile([fixtureToken()]) });
  assert.equal(errorCode(noReference.body), 'OPERATOR_REFERENCE_INVALID');
  const tooLarge = await upload(recorderClient, { reference: 'TOKEN-LARGE' }, { content: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) });
  assert.equal(errorCode(tooLarge.body), 'TOKEN_FILE_REFUSED');
  assert.ok(errorText(tooLarge.body).includes(ja('tokens.reason.too_large')));
  const forged = await upload(recorderClient, { reference: 'TOKEN-CSRF' }, { content: plainFile([fixtureToken()]) }, { csrf: null });
  assert.equal(errorCode(forged.body), 'CSRF_INVALID');
  // A file sent to any other console form is not read at all.
  const elsewhere = await recorderClient.app.inject({
    method: 'POST',
    url: '/operator/password',
    headers: { cookie: [...recorderClient.cookies].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': 'multipart/form-data; boundary=x' },
    payload: '--x--\r\n',
    remoteAddress: recorderClient.ip,
  });
  assert.equal(elsewhere.statusCode, 415);

  assert.equal(await applicationCount(), before, 'nothing recorded');
  assert.deepEqual(await storedSerials([good.serial, hotp.serial, ...sealed.map((token) => token.serial)]), []);
});

test('a serial stored after the recording refuses the approval, naming it; nothing of the file is stored', async () => {
  const shared = fixtureToken();
  const other = fixtureToken();
  const first = applicationIdOf(await upload(recorderClient, { reference: 'TOKEN-A' }, { content: plainFile([shared]) }));
  const second = applicationIdOf(await upload(recorderClient, { reference: 'TOKEN-B' }, { content: plainFile([other, shared]) }));
  assert.equal((await decide(approverClient, first, 'approve')).statusCode, 303);
  const refused = await decide(approverClient, second, 'approve');
  assert.equal(refused.statusCode, 409);
  assert.equal(errorCode(refused.body), 'TOKEN_SERIAL_EXISTS');
  assert.ok(errorText(refused.body).includes(shared.serial), 'the serial stored meanwhile is named');
  assert.deepEqual(await storedSerials([other.serial]), [], 'all or nothing');
  const row = await t.deps.db.selectFrom('change_application').select('status').where('id', '=', second).executeTakeFirstOrThrow();
  assert.equal(row.status, 'pending', 'left to be rejected');
  const refusal = await t.deps.db.selectFrom('audit_log').select(['reason', 'details']).where('action', '=', 'application.approve').where('outcome', '=', 'failure').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal(refusal.reason, 'TOKEN_SERIAL_EXISTS');
  assert.equal((refusal.details as { serial?: string }).serial, shared.serial);
});

test('two imports sharing a serial, approved at once: one is stored whole, the other refused naming the serial', { skip: needsPostgres }, async () => {
  const shared = fixtureToken();
  const onlyA = fixtureToken();
  const onlyB = fixtureToken();
  const a = applicationIdOf(await upload(recorderClient, { reference: 'RACE-A' }, { content: plainFile([onlyA, shared]) }));
  const b = applicationIdOf(await upload(recorderClient, { reference: 'RACE-B' }, { content: plainFile([shared, onlyB]) }));
  await approverClient.get(`/operator/applications/${a}`);
  await secondApproverClient.get(`/operator/applications/${b}`);
  const answers = await Promise.all([approverClient.post(`/operator/applications/${a}/approve`, {}), secondApproverClient.post(`/operator/applications/${b}/approve`, {})]);
  assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [303, 409]);
  const refused = answers.find((answer) => answer.statusCode === 409)!;
  assert.equal(errorCode(refused.body), 'TOKEN_SERIAL_EXISTS');
  assert.ok(errorText(refused.body).includes(shared.serial));
  const stored = await storedSerials([shared.serial, onlyA.serial, onlyB.serial]);
  assert.equal(stored.length, 2, 'one file whole, nothing of the other');
  assert.ok(stored.includes(shared.serial));
});

/** Records an assignment on the contract's token page and has the approver approve it. */
async function assign(contractId: string, serial: string, reason: string): Promise<number> {
  await recorderClient.get(`/operator/contracts/${contractId}/tokens`);
  const id = applicationIdOf(await recorderClient.post(`/operator/contracts/${contractId}/tokens/assign`, { serial, reason, reference: `ASSIGN-${serial}` }));
  const approved = await decide(approverClient, id, 'approve');
  assert.equal(approved.headers.location, `/operator/applications/${id}?done=approved`, `approval: ${errorCode(approved.body) ?? approved.statusCode}`);
  return id;
}

async function feeEntries(ledgerAccountId: number) {
  return t.deps.db
    .selectFrom('journal_entry')
    .innerJoin('posting', 'posting.entry_id', 'journal_entry.id')
    .select(['journal_entry.id', 'journal_entry.kind', 'posting.amount_yen'])
    .where('posting.ledger_account_id', '=', ledgerAccountId)
    .where('journal_entry.kind', '=', 'fee')
    .execute();
}

test('assignments on approval: three new tokens free, the fourth charged 1,080 yen from the first account, an expired one replaced free', async () => {
  const master = await onboardMaster(t.deps);
  const account = await addAccount(t.deps, master.contractId, { fundYen: 10_000n });
  const tokens = [fixtureToken(), fixtureToken(), fixtureToken(), fixtureToken(), fixtureToken()];
  await heldTokens(tokens);

  const contractPage = await recorderClient.get(`/operator/contracts/${master.contractId}`);
  assert.match(contractPage.body, new RegExp(`href="/operator/contracts/${master.contractId}/tokens"`));
  const recorded = await recorderClient.get(`/operator/contracts/${master.contractId}/tokens`);
  assert.match(recorded.body, /id="record-assign_token"/);
  assert.match(recorded.body, /id="no-tokens"/);

  // Refused input: nothing recorded.
  const before = await applicationCount();
  const post = (fields: Record<string, string>) => recorderClient.post(`/operator/contracts/${master.contractId}/tokens/assign`, fields);
  assert.equal(errorCode((await post({ serial: tokens[0]!.serial, reason: 'stolen', reference: 'X-1' })).body), 'TOKEN_ASSIGN_REASON_INVALID');
  assert.equal(errorCode((await post({ serial: 'no such token', reason: 'new', reference: 'X-1' })).body), 'TOKEN_SERIAL_INVALID');
  const unknown = await post({ serial: 'NOSUCH-0001', reason: 'new', reference: 'X-1' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(errorCode(unknown.body), 'TOKEN_UNKNOWN');
  assert.match(unknown.body, /value="NOSUCH-0001"/, 'the serial typed is kept');
  assert.equal(errorCode((await post({ serial: tokens[0]!.serial, reason: 'new', reference: '' })).body), 'OPERATOR_REFERENCE_INVALID');
  assert.equal(await applicationCount(), before);

  for (const token of tokens.slice(0, 3)) await assign(master.contractId, token.serial, 'new');
  assert.deepEqual(await feeEntries(account.ledgerAccountId), [], 'three are free');
  assert.equal(await balanceOf(t.deps.db, account.id), 10_000n);

  const fourth = await assign(master.contractId, tokens[3]!.serial, 'new');
  const fees = await feeEntries(account.ledgerAccountId);
  assert.equal(fees.length, 1, 'the fourth is charged');
  assert.equal(fees[0]!.amount_yen, -1080n);
  assert.equal(await balanceOf(t.deps.db, account.id), 8_920n, 'from the first account');
  const token = await t.deps.db.selectFrom('hardware_token').selectAll().where('serial', '=', tokens[3]!.serial).executeTakeFirstOrThrow();
  assert.equal(token.contract_id, master.contractId);
  assert.equal(token.assign_reason, 'new');
  assert.equal(token.fee_entry_id, fees[0]!.id);
  const result = await approverClient.get(`/operator/applications/${fourth}`);
  assert.match(result.body, /id="application-result"[\s\S]*1,080/);
  assert.ok(result.body.includes(tokens[3]!.serial));

  // R6.7: a free replacement is for a token of the contract that expires soon.
  await t.deps.db.updateTable('hardware_token').set({ expires_on: addDays(tokyoDate(t.deps.clock.now()), 30) }).where('serial', '=', tokens[0]!.serial).execute();
  await assign(master.contractId, tokens[4]!.serial, 'expired');
  assert.equal((await feeEntries(account.ledgerAccountId)).length, 1, 'a replacement for an expired token is free');
  assert.equal(await balanceOf(t.deps.db, account.id), 8_920n);

  // A token assigned already is refused at recording.
  const taken = await post({ serial: tokens[0]!.serial, reason: 'lost', reference: 'X-2' });
  assert.equal(taken.statusCode, 409);
  assert.equal(errorCode(taken.body), 'TOKEN_NOT_ASSIGNABLE');

  const page = await recorderClient.get(`/operator/contracts/${master.contractId}/tokens`);
  assert.match(page.body, /data-new-tokens="4"/);
  for (const assigned of tokens) assert.match(page.body, new RegExp(`data-serial="${assigned.serial}" data-state="assigned"`));
  const trail = await t.deps.db.selectFrom('audit_log').select(['actor']).where('contract_id', '=', master.contractId).where('action', '=', 'token.assign').execute();
  assert.deepEqual(trail.map((row) => row.actor), Array(5).fill(`staff:${approver.login}`));
});

test('the help desk tests a code once, resynchronises from two consecutive codes, and finds tokens by serial, contract and expiry', async () => {
  const master = await onboardMaster(t.deps);
  const soon = fixtureToken({ expires: '2026-05-15' });
  const later = fixtureToken();
  const stock = fixtureToken({ expires: '2026-05-10' });
  await heldTokens([soon, later, stock]);
  await assign(master.contractId, soon.serial, 'new');
  await assign(master.contractId, later.serial, 'new');

  const path = `/operator/tokens/${soon.serial}`;
  const page = await recorderClient.get(path);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /id="token-facts" data-state="assigned"/);
  assert.match(page.body, new RegExp(`href="/operator/contracts/${master.contractId}"`));
  assert.match(page.body, /id="test-code"/);
  assert.match(page.body, /id="resync"/);

  const now = t.deps.clock.now();
  const code = codeAt(soon.secret, stepAt(now, 60), totp);
  const accepted = await recorderClient.post(`${path}/test`, { code });
  assert.equal(accepted.headers.location, `${path}?tested=accepted`);
  assert.match((await recorderClient.get(`${path}?tested=accepted`)).body, /id="token-last-used"/);
  const again = await recorderClient.post(`${path}/test`, { code });
  assert.equal(again.headers.location, `${path}?tested=refused`, 'a code is accepted once (R6.8)');
  assert.match((await recorderClient.get(`${path}?tested=refused`)).body, /id="test-refused"/);
  const malformed = await recorderClient.post(`${path}/test`, { code: '12a456' });
  assert.equal(malformed.statusCode, 400);
  assert.equal(errorCode(malformed.body), 'TOKEN_CODE_FORMAT');
  assertNoStackTrace(malformed);
  const tests = await t.deps.db.selectFrom('audit_log').select(['actor', 'outcome']).where('action', '=', 'token.test').where('contract_id', '=', master.contractId).orderBy('id').execute();
  assert.deepEqual(tests, [
    { actor: `staff:${recorder.login}`, outcome: 'success' },
    { actor: `staff:${recorder.login}`, outcome: 'failure' },
  ]);

  // A token whose clock runs five minutes ahead: two codes it shows one after the other.
  const step = stepAt(t.deps.clock.now(), 60);
  const codes = { first: codeAt(soon.secret, step + 4, totp), second: codeAt(soon.secret, step + 5, totp) };
  const wrong = await recorderClient.post(`${path}/resync`, { first: codes.second, second: codes.first });
  assert.equal(errorCode(wrong.body), 'TOKEN_RESYNC_FAILED');
  const resynced = await recorderClient.post(`${path}/resync`, codes);
  assert.equal(resynced.headers.location, `${path}?done=resynced`);
  const row = await t.deps.db.selectFrom('hardware_token').select(['drift_steps']).where('serial', '=', soon.serial).executeTakeFirstOrThrow();
  assert.equal(row.drift_steps, 5);
  assert.match((await recorderClient.get(`${path}?done=resynced`)).body, /id="token-drift" data-steps="5"/);
  // With the drift stored, the token's next code passes the test.
  const next = await recorderClient.post(`${path}/test`, { code: codeAt(soon.secret, step + 6, totp) });
  assert.equal(next.headers.location, `${path}?tested=accepted`);

  const missing = await recorderClient.get('/operator/tokens/NOSUCH-0001');
  assert.equal(missing.statusCode, 404);
  assert.equal(errorCode(missing.body), 'NOT_FOUND', 'the console’s own error page');
  assert.equal((await recorderClient.get('/operator/tokens/..%2Fcontracts')).statusCode, 404);

  // The list: a serial opens its page, a contract filters, the menu leads there.
  const list = await recorderClient.get('/operator/tokens');
  assert.match(list.body, /href="\/operator\/tokens"/);
  assert.match(list.body, new RegExp(`data-serial="${stock.serial}" data-state="unassigned"`));
  assert.equal((await recorderClient.get(`/operator/tokens?serial=${soon.serial}`)).headers.location, path);
  assert.equal(errorCode((await recorderClient.get('/operator/tokens?serial=NOSUCH-0001')).body), 'TOKEN_UNKNOWN');
  assert.equal(errorCode((await recorderClient.get('/operator/tokens?contract=12345')).body), 'CONTRACT_ID_INVALID');
  const filtered = await recorderClient.get(`/operator/tokens?contract=${master.contractId}`);
  assert.deepEqual([...filtered.body.matchAll(/data-serial="([^"]+)"/g)].map((m) => m[1]), [soon.serial, later.serial].sort());

  // R6.7: assigned tokens expiring within 60 days, not the bank's stock nor a later one.
  const expiring = await recorderClient.get('/operator/expiring-tokens');
  assert.equal(expiring.statusCode, 200);
  const listed = [...expiring.body.matchAll(/data-serial="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(listed.includes(soon.serial));
  assert.ok(!listed.includes(later.serial));
  assert.ok(!listed.includes(stock.serial));
  assert.match((await recorderClient.get('/operator/expiring-tokens?lang=en')).body, /Tokens expiring soon/);
});
