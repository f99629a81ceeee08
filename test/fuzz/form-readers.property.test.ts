import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../src/errors.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import * as web from '../../src/web/form-input.ts';
import * as settings from '../../src/modules/settings/form-fields.ts';
import * as users from '../../src/modules/users/form-input.ts';
import * as transfers from '../../src/modules/transfers/form-input.ts';
import * as payees from '../../src/modules/payees/form-input.ts';
import * as payEasy from '../../src/modules/pay-easy/form-input.ts';
import * as build from '../../src/modules/bulk/build-input.ts';
import { parseAmountYen, parseEmployeeNumber } from '../../src/modules/bulk/build.ts';
import { applicationKinds, parseApplicationForm, referenceOf } from '../../src/modules/contracts/application-payload.ts';
import { parseEncoding, parsePage, parseStatementQuery } from '../../src/modules/accounts/statement-query.ts';
import { parseYenInput } from '../../src/domain/money.ts';
import { readSessionToken } from '../../src/access/session-token.ts';
import { fuzzParameters, hostileText, jsonFieldValue, strangeFieldName, trickyText } from '../helpers/fuzz.ts';

/**
 * Every reader of what a browser sends — a form body, a query string, path parameters — takes
 * anything (a body is whatever Fastify's parsers made of the request: text, lists, JSON values,
 * objects with prototype keys) and answers with the values it read or an AppError naming what is
 * wrong, never another exception (which would be a 500). The configuration reader likewise answers
 * any environment with a configuration or a ConfigError. The HTTP fuzz sends these through the
 * forms; here each reader gets many more cases, cheaply.
 */

/** The field names the readers look for, and names no form has. */
const fieldNames = [
  '_csrf', 'kind', 'current', 'next', 'nextRepeat', 'email', 'code', 'otp', 'tokenCode', 'confirmationPassword',
  'userId', 'displayName', 'initialPassword', 'initialPasswordRepeat', 'account', 'grant_inquiry', 'grant_transfer', 'transfer_register',
  'transfer_approve', 'transfer_send', 'transfer_perTransactionYen', 'transfer_dailyYen', 'grant_user_admin', 'grant_tax_payment', 'tax_payment_perTransactionYen',
  'fromAccountId', 'destination', 'payeeId', 'bankCode', 'branchCode', 'accountType', 'accountNumber', 'name', 'nickname', 'amount', 'executionDate',
  'idempotencyKey', 'reason', 'id', 'billerNumber', 'number', 'confirmationNumber', 'paymentClass', 'typeCode', 'paymentDate', 'templateName',
  'companyName', 'masterUserId', 'masterName', 'masterEmail', 'lockMode', 'required', 'reference', 'from', 'to', 'page', 'encoding', 'month',
  'amount_1', 'employee_1', 'payee', 'lookup',
];

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText() },
  { weight: 1, arbitrary: fc.array(hostileText(), { minLength: 2, maxLength: 3 }) },
  { weight: 2, arbitrary: jsonFieldValue },
  { weight: 1, arbitrary: fc.constantFrom({ toString: 1 }, { valueOf: 'x' }, { toString: () => 'a' }, Object.create(null) as object, [[]], [{}]) },
);

/** A body or query as the parsers could make it: an object of known and strange names, or something that is not an object at all. */
const body: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fieldNames) }, { weight: 1, arbitrary: strangeFieldName }), value, { maxKeys: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant(undefined), hostileText(), fc.integer(), fc.array(fc.string())) },
);

/** Runs a reader on anything: it returns, or throws an AppError. */
function answersOrRefuses(name: string, read: (input: unknown) => unknown, runs = 200): void {
  fc.assert(
    fc.property(body, (input) => {
      try {
        read(input);
      } catch (error) {
        assert.ok(error instanceof AppError, `${name}: an AppError, not ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      }
    }),
    fuzzParameters(runs),
  );
}

const today = '2026-04-01';
const readers: Record<string, (input: unknown) => unknown> = {
  formText: (b) => web.formText(b, 'name', { maxLength: 30 }),
  formSecret: (b) => web.formSecret(b, 'current', { maxLength: 128 }),
  formChoice: (b) => web.formChoice(b, 'kind', ['login', 'confirmation']),
  echoValues: (b) => web.echoValues(b, ['name', 'email', 'reason']),
  confirmationPasswordField: (b) => web.confirmationPasswordField(b),
  tokenCodeField: (b) => web.tokenCodeField(b),
  oneTimePasswordField: (b) => web.oneTimePasswordField(b),
  passwordChangeFields: (b) => settings.passwordChangeFields(b),
  settingsEmailField: (b) => settings.emailField(b),
  settingsCodeField: (b) => settings.codeField(b),
  checkbox: (b) => users.checkbox(b, 'grant_transfer'),
  yenField: (b) => users.yenField(b, 'transfer_dailyYen'),
  userIdField: (b) => users.userIdField(b),
  displayNameField: (b) => users.displayNameField(b),
  usersEmailField: (b) => users.emailField(b),
  initialPasswordFields: (b) => users.initialPasswordFields(b),
  grantsField: (b) => users.grantsField(b),
  accountsField: (b) => users.accountsField(b),
  transferFormInput: (b) => transfers.transferFormInput(b),
  transferAmountField: (b) => transfers.amountField(b),
  executionDateField: (b) => transfers.executionDateField(b),
  transferIdempotencyKeyField: (b) => transfers.idempotencyKeyField(b),
  transferReasonField: (b) => transfers.reasonField(b),
  transferIdParam: (b) => transfers.transferIdParam(b),
  bankCodeField: (b) => payees.bankCodeField(b),
  branchCodeField: (b) => payees.branchCodeField(b),
  accountTypeField: (b) => payees.accountTypeField(b),
  payeeAccountNumberField: (b) => payees.accountNumberField(b),
  payeeNameField: (b) => payees.nameField(b),
  nicknameField: (b) => payees.nicknameField(b),
  payeeReasonField: (b) => payees.reasonField(b),
  billerNumberField: (b) => payEasy.billerNumberField(b),
  billerNumberParam: (b) => payEasy.billerNumberParam(b),
  billFormInputPublic: (b) => payEasy.billFormInput(b, { number: '00200', name: '国庫金', kind: 'national' }),
  billFormInputPrivate: (b) => payEasy.billFormInput(b, { number: '58101', name: '電力', kind: 'private' }),
  payEasyIdempotencyKeyField: (b) => payEasy.idempotencyKeyField(b),
  paymentIdParam: (b) => payEasy.paymentIdParam(b),
  readBuildForm: (b) => build.readBuildForm(b),
  readPaymentDate: (b) => build.readPaymentDate(b, today),
  readTemplateName: (b) => build.readTemplateName(b),
  typedValues: (b) => build.typedValues(b),
  referenceOf: (b) => referenceOf(b),
  ...Object.fromEntries(applicationKinds.map((kind) => [`parseApplicationForm ${kind}`, (b: unknown) => parseApplicationForm(kind, kind === 'onboard' ? null : '12345678903', b)])),
  parseStatementQuery: (b) => parseStatementQuery(b, today),
  parseEncoding: (b) => parseEncoding(b),
  parsePage: (b) => parsePage(b),
};

test('every form, query and path reader answers anything with its values or an AppError, never another exception', () => {
  for (const [name, read] of Object.entries(readers)) answersOrRefuses(name, read);
});

test('the typed-text readers (yen amounts, employee numbers, session cookies) answer any text without an exception', () => {
  fc.assert(
    fc.property(fc.oneof(hostileText(), trickyText, fc.string({ unit: 'binary' })), (text) => {
      parseYenInput(text);
      parseAmountYen(text);
      parseEmployeeNumber(text);
      const token = readSessionToken(text);
      assert.ok(token === undefined || (typeof token.id === 'string' && typeof token.secret === 'string'));
    }),
    fuzzParameters(1000),
  );
});

const configNames = [
  'ATTEMPTS_BUSY_WAIT_MS', 'BANK_CODE', 'BANK_CONTACT', 'BANK_NAME', 'BANK_NAME_KANA', 'BULK_CUTOFF_TIME', 'BULK_FILE_BYTES_MAX', 'CERT_PORT', 'CERT_PUBLIC_URL',
  'CLIENT_CERT_HEADER', 'CLIENT_CERT_SOURCE', 'DATABASE_URL', 'DUPLICATE_WINDOW_DAYS', 'EMAIL_OTP_SENDS_PER_HOUR', 'EMAIL_OTP_TTL_SECONDS', 'ENCRYPTION_KEYS', 'HOST',
  'HTTP_REDIRECT_PORT', 'LOGON_RATE_PER_MINUTE', 'LOG_LEVEL', 'MAIL_FROM', 'NODE_ENV', 'OPERATOR_ALLOWED_IPS', 'OPERATOR_HOST', 'OPERATOR_PORT',
  'OPERATOR_SESSION_ABSOLUTE_SECONDS', 'OPERATOR_SESSION_IDLE_SECONDS', 'PASSWORD_MAX_AGE_DAYS', 'PORT', 'PUBLIC_URL', 'SALARY_CUTOFF_BUSINESS_DAYS', 'SEED_DEMO',
  'SESSION_ABSOLUTE_SECONDS', 'SESSION_IDLE_SECONDS', 'SMTP_URL', 'TOKEN_FEE_YEN', 'TOKEN_GRACE_DAYS', 'TRANSFER_FEES', 'TRUSTED_PROXIES',
];

test('the configuration reader answers any environment with a configuration or a ConfigError naming the problems', () => {
  const setting = fc.oneof(hostileText(), trickyText, fc.constantFrom('0', '1', '65535', '65536', 'true', 'production', '::1', '10.0.0.0/8', '10.0.0.0/33', 'same_bank:*:1', '1:AAAA', '24:00', 'https://x', 'tls', 'proxy'));
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...configNames), setting, { maxKeys: 6 }), (env) => {
      try {
        parseConfig({ DATA_DIR: '/nonexistent-fuzz-data-dir', ...env });
      } catch (error) {
        assert.ok(error instanceof ConfigError, `a ConfigError, not ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      }
    }),
    fuzzParameters(500),
  );
});
