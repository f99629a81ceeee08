import assert from 'node:assert/strict';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { Client, errorCode } from './client.ts';
import type { TestPerson } from './people.ts';
import { assertNoStackTrace, ja, postJson, stateOf } from './http-app.ts';

/** What the bad-input tests send to each form, and what they expect back. */

export type Fields = Record<string, string | string[]>;

export interface BadInput {
  label: string;
  /** A form body as a browser sends it; a field given as a list is sent twice. */
  fields?: Fields;
  /** A JSON body instead, the way to give a field a number, an object or a list of other things. */
  json?: Record<string, unknown>;
  /** The CSRF token to send instead of the page's (null: none). */
  csrf?: string | null;
  /** The code the page must show; when left out, any code will do (the type errors). */
  code?: string;
  /** The field the error must be shown next to. */
  field?: string;
}

export const tenKilobytes = 10 * 1024;

export function fullWidth(text: string): string {
  return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

export function without(fields: Fields, name: string): Fields {
  const { [name]: _, ...rest } = fields;
  return rest;
}

/** The wrong types, sizes and CSRF problems every form must refuse, built on its valid fields. */
export function commonBadInputs(valid: Fields, fields: readonly string[]): BadInput[] {
  const perField = fields.flatMap((field): BadInput[] => {
    const value = String(valid[field]);
    return [
      { label: `${field} sent twice`, fields: { ...valid, [field]: [value, value] } },
      { label: `${field} as a JSON number`, json: { ...valid, [field]: 12345678 } },
      { label: `${field} as a JSON object`, json: { ...valid, [field]: { toString: value } } },
      { label: `${field} as a JSON list`, json: { ...valid, [field]: [value] } },
      { label: `${field} as JSON null`, json: { ...valid, [field]: null } },
      { label: `${field} missing`, fields: without(valid, field) },
      { label: `${field} empty`, fields: { ...valid, [field]: '' } },
      { label: `${field} of 10 kB`, fields: { ...valid, [field]: value + 'a1'.repeat(tenKilobytes / 2) } },
    ];
  });
  return [
    ...perField,
    { label: 'no fields at all', fields: {} },
    { label: 'no CSRF token', fields: valid, csrf: null, code: 'CSRF_INVALID' },
    { label: 'a wrong CSRF token', fields: valid, csrf: 'A'.repeat(32), code: 'CSRF_INVALID' },
    { label: 'an empty CSRF token', fields: valid, csrf: '', code: 'CSRF_INVALID' },
    { label: 'the right fields as JSON without a CSRF token', json: valid, csrf: null, code: 'CSRF_INVALID' },
  ];
}

/**
 * Sends each bad input and checks the answer: a 4xx with the same form again and an error code,
 * no stack trace, and nothing changed for the person (their row, sessions, challenges, codes,
 * history) nor in the outbox.
 */
export async function assertRefused(
  deps: Deps,
  client: Client,
  person: TestPerson,
  form: { url: string; action?: string },
  inputs: readonly BadInput[],
  /** What must not change; by default the person's own state and the outbox. */
  state: (deps: Deps, person: TestPerson) => Promise<unknown> = stateOf,
): Promise<void> {
  const action = form.action ?? form.url;
  for (const input of inputs) {
    const label = `${form.url}: ${input.label}`;
    const before = await state(deps, person);
    const csrf = input.csrf === undefined ? client.csrf : input.csrf;
    const response = input.json
      ? await postJson(client, form.url, csrf === null ? input.json : { ...input.json, _csrf: csrf })
      : await client.post(form.url, input.fields ?? {}, { csrf: input.csrf });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${label}: a 4xx answer (got ${response.statusCode} ${response.headers.location ?? ''})`);
    assert.ok(response.body.includes(`<form method="post" action="${action}"`), `${label}: the form is shown again`);
    const code = errorCode(response.body);
    assert.ok(code, `${label}: an error code is shown`);
    if (input.code) assert.equal(code, input.code, label);
    if (input.field) {
      assert.match(response.body, new RegExp(`<p class="error field-error" role="alert" id="form-error" data-code="${code}">`), `${label}: the message is next to a field`);
      assert.match(response.body, new RegExp(`name="${input.field}"[^>]*aria-invalid="true"`), `${label}: ${input.field} is marked`);
    }
    assertNoStackTrace(response);
    assert.deepEqual(await state(deps, person), before, `${label}: nothing changed`);
  }
}

/**
 * A form posted after its session ended by itself: the person is sent to the logon page, which says
 * why, and nothing but the session's end is recorded.
 */
export async function assertRefusedAfterSessionEnd(
  deps: Deps & { clock: FakeClock },
  client: Client,
  person: TestPerson,
  url: string,
  fields: Fields,
  after: { seconds: number; reason: 'idle' | 'expired' },
): Promise<void> {
  const { sessions: _before, ...before } = (await stateOf(deps, person)) as Record<string, unknown>;
  deps.clock.advanceSeconds(after.seconds);
  const response = await client.post(url, fields);
  assert.equal(response.statusCode, 303, `${url}: an ended session is sent away`);
  assert.equal(response.headers.location, `/logon?ended=${after.reason}`, url);
  const { sessions: _after, ...now } = (await stateOf(deps, person)) as Record<string, unknown>;
  assert.deepEqual(now, before, `${url}: nothing changed`);
  const logonPage = await client.get(String(response.headers.location));
  assert.ok(logonPage.body.includes(ja(after.reason === 'idle' ? 'logon.notice.idle' : 'logon.notice.expired')), `${url}: the logon page says why`);
  assertNoStackTrace(response);
}
