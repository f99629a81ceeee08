import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatYen, parseYenInput } from './money.ts';

const fullWidth = (text: string) => text.replace(/[0-9,]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

test('an amount typed with full-width digits, commas or a trailing 円 is read as the same yen, not refused', () => {
  for (const typed of ['150000', '150,000', '１５００００', '１５０，０００', '150,000円', '１５０，０００円', ' 150000 円 ']) {
    assert.deepEqual(parseYenInput(typed), { ok: true, yen: 150_000n }, typed);
  }
});

test('every amount from 1 to ten digits reads back from each way people write it', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 9_999_999_999n }), (yen) => {
      const grouped = formatYen(yen);
      for (const typed of [yen.toString(), grouped, fullWidth(grouped), `${grouped}円`, `${fullWidth(yen.toString())}円`]) {
        const read = parseYenInput(typed);
        if (!read.ok || read.yen !== yen) return false;
      }
      return true;
    }),
  );
});

test('what is not a whole positive amount is still refused, each with its problem', () => {
  assert.deepEqual(parseYenInput('円'), { ok: false, problem: 'empty' });
  assert.deepEqual(parseYenInput('－５'), { ok: false, problem: 'not_positive' });
  assert.deepEqual(parseYenInput('０'), { ok: false, problem: 'not_positive' });
  assert.deepEqual(parseYenInput('１．５'), { ok: false, problem: 'fraction' });
  assert.deepEqual(parseYenInput('12,34'), { ok: false, problem: 'not_a_number' });
  assert.deepEqual(parseYenInput('１０，０００，０００，０００'), { ok: false, problem: 'too_large' });
});
