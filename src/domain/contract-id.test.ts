import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contractIdDigits, contractIdFrom, isValidContractId, luhnCheckDigit } from './contract-id.ts';

const body = fc.stringMatching(/^[1-9][0-9]{9}$/);

/** A fixed sample plus random bodies, so a failure names an ID that reproduces it. */
const sampleIds = [
  '7992739871',
  '1000000000',
  '9999999999',
  '1234567890',
  '5050505050',
  '9090909090',
  ...fc.sample(body, { numRuns: 200, seed: 20260401 }),
].map(contractIdFrom);

function withDigit(id: string, position: number, digit: number): string {
  return id.slice(0, position) + String(digit) + id.slice(position + 1);
}

function swapped(id: string, position: number): string {
  return id.slice(0, position) + id[position + 1] + id[position] + id.slice(position + 2);
}

test('R1.1: the check digit is Luhn (the textbook example 7992739871 → 3)', () => {
  assert.equal(luhnCheckDigit('7992739871'), 3);
  assert.equal(contractIdFrom('7992739871'), '79927398713');
  assert.equal(isValidContractId('79927398713'), true);
  assert.equal(isValidContractId('79927398710'), false);
});

test('R1.1: contractIdFrom makes valid 11-digit IDs from any 10-digit body', () => {
  fc.assert(
    fc.property(body, (digits) => {
      const id = contractIdFrom(digits);
      assert.equal(id.length, contractIdDigits);
      assert.equal(id.slice(0, 10), digits);
      assert.equal(isValidContractId(id), true);
    }),
  );
});

test('R1.1: every single mistyped digit of a sample of IDs is rejected', () => {
  for (const id of sampleIds) {
    for (let position = 0; position < contractIdDigits; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === id[position]) continue;
        const typo = withDigit(id, position, digit);
        assert.equal(isValidContractId(typo), false, `${id} mistyped as ${typo}`);
      }
    }
  }
});

test('R1.1: every swap of two neighbouring digits is rejected, except 0↔9 (the one Luhn misses)', () => {
  let checked = 0;
  for (const id of sampleIds) {
    for (let position = 0; position < contractIdDigits - 1; position++) {
      const pair = id[position]! + id[position + 1]!;
      if (pair[0] === pair[1] || pair === '09' || pair === '90') continue;
      assert.equal(isValidContractId(swapped(id, position)), false, `${id} with positions ${position},${position + 1} swapped`);
      checked++;
    }
  }
  assert.ok(checked > 1000, `enough transpositions checked (${checked})`);
});

test('R1.1 as a property: any single digit change of a valid ID makes it invalid', () => {
  fc.assert(
    fc.property(body, fc.nat({ max: contractIdDigits - 1 }), fc.integer({ min: 1, max: 9 }), (digits, position, shift) => {
      const id = contractIdFrom(digits);
      const typo = withDigit(id, position, (Number(id[position]) + shift) % 10);
      assert.equal(isValidContractId(typo), false);
    }),
  );
});

test('R1.1: anything but exactly 11 half-width digits is rejected', () => {
  const valid = contractIdFrom('7992739871');
  for (const bad of [
    valid.slice(0, 10),
    valid + '0',
    contractIdFrom('1234567890') + contractIdFrom('1234567890').at(-1),
    '',
    '7992739871a',
    'a9927398713',
    '79927-39871',
    ' 79927398713',
    '79927398713 ',
    '79927398713\n',
    '７９９２７３９８７１３',
    '7992739871３',
    '٧٩٩٢٧٣٩٨٧١٣',
    '+7992739871',
    '7.992739871e10',
  ]) {
    assert.equal(isValidContractId(bad), false, JSON.stringify(bad));
  }
});

test('contractIdFrom refuses a body that is not 10 digits not starting with 0', () => {
  for (const bad of ['', '123456789', '12345678901', '0123456789', '12345678a0', '１２３４５６７８９０']) {
    assert.throws(() => contractIdFrom(bad), /10 digits/, JSON.stringify(bad));
  }
});
