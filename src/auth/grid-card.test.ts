import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cellIndex,
  cellName,
  expectedAnswer,
  gridCellsCount,
  gridColumns,
  gridRows,
  isCorrectAnswer,
  newChallenge,
  newGridDigits,
  parseCells,
  serializeCells,
} from './grid-card.ts';
import { cryptoRandom, type Random } from '../platform/random.ts';

/** Plays the given integers first (reduced into range), then real randomness, so every draw ends. */
function scriptedRandom(script: readonly number[]): Random {
  let next = 0;
  return {
    bytes: (length) => cryptoRandom.bytes(length),
    int: (min, max) => (next < script.length ? min + (script[next++]! % (max - min)) : cryptoRandom.int(min, max)),
  };
}

// Rows 1–6 of a card written out by hand; columns A–H left to right.
const handCard = ['31415926', '53589793', '23846264', '33832795', '02884197', '16939937'];
const handDigits = handCard.join('');

test('R3.2: a card holds 8 columns × 6 rows of single digits', () => {
  for (let i = 0; i < 200; i++) {
    const digits = newGridDigits(cryptoRandom);
    assert.equal(digits.length, 48);
    assert.match(digits, /^[0-9]{48}$/);
    const rows = gridRows(digits);
    assert.equal(rows.length, 6);
    for (const row of rows) assert.equal(row.length, 8);
  }
});

test('every digit 0–9 turns up on cards (the digits are not drawn from a narrower range)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) for (const digit of newGridDigits(cryptoRandom)) seen.add(digit);
  assert.equal(seen.size, 10);
});

test('R3.2: a challenge names 4 distinct valid cells, over many draws', () => {
  const cellsSeen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const cells = newChallenge(cryptoRandom);
    assert.equal(cells.length, 4);
    assert.equal(new Set(cells).size, 4, `distinct cells in ${cells.join(',')}`);
    for (const cell of cells) {
      assert.match(cell, /^[A-H][1-6]$/);
      cellsSeen.add(cell);
    }
  }
  assert.equal(cellsSeen.size, gridCellsCount, 'every cell of the card is asked for sooner or later');
});

test('R3.2: a challenge has 4 distinct cells even when the randomness repeats itself', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1000 }), { maxLength: 40 }), (script) => {
      const cells = newChallenge(scriptedRandom(script));
      assert.equal(new Set(cells).size, 4);
    }),
  );
  // The same cell drawn over and over still ends in four different cells.
  assert.equal(new Set(newChallenge(scriptedRandom(Array(30).fill(5)))).size, 4);
});

test('cellIndex and cellName are inverse over all 48 cells, row by row from A1', () => {
  for (let index = 0; index < gridCellsCount; index++) assert.equal(cellIndex(cellName(index)), index);
  assert.equal(cellName(0), 'A1');
  assert.equal(cellName(7), 'H1');
  assert.equal(cellName(8), 'A2');
  assert.equal(cellName(47), 'H6');
  for (const column of gridColumns) for (let row = 1; row <= 6; row++) assert.equal(cellName(cellIndex(`${column}${row}`)), `${column}${row}`);
});

test('cellIndex refuses anything that is not a cell of the card', () => {
  for (const bad of ['', 'A', 'A0', 'A7', 'I1', 'a1', ' A1', 'A1 ', 'A10', '1A', 'Ａ1', 'A１']) {
    assert.throws(() => cellIndex(bad), /not a grid cell/, JSON.stringify(bad));
  }
});

test('expectedAnswer reads the named cells of a hand-made card in the order named', () => {
  assert.deepEqual(gridRows(handDigits)[2], [...'23846264']);
  assert.equal(expectedAnswer(handDigits, ['A1', 'H1', 'A6', 'H6']), '3617');
  assert.equal(expectedAnswer(handDigits, ['C2', 'E3', 'G4', 'B5']), '5692');
  assert.equal(expectedAnswer(handDigits, ['B5', 'G4', 'E3', 'C2']), '2965', 'order matters');
  assert.equal(expectedAnswer(handDigits, ['D4', 'F6', 'A3', 'H2']), '3923');
});

test('R3.1: isCorrectAnswer accepts only exactly the 4 right digits', () => {
  const cells = ['C2', 'E3', 'G4', 'B5'];
  assert.equal(isCorrectAnswer(handDigits, cells, '5692'), true);
  for (const wrong of ['5693', '0000', '2965', '569', '56920', '', ' 5692', '5692 ', '５６９２', '5692\n']) {
    assert.equal(isCorrectAnswer(handDigits, cells, wrong), false, JSON.stringify(wrong));
  }
});

test('isCorrectAnswer: any other 4-digit answer than the expected one is refused', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9]{48}$/),
      fc.uniqueArray(fc.integer({ min: 0, max: 47 }), { minLength: 4, maxLength: 4 }),
      fc.stringMatching(/^[0-9]{4}$/),
      (digits, indexes, answer) => {
        const cells = indexes.map(cellName);
        assert.equal(isCorrectAnswer(digits, cells, answer), answer === expectedAnswer(digits, cells));
      },
    ),
  );
});

test('a stored challenge reads back as the same cells, and a corrupted one is refused', () => {
  const cells = newChallenge(cryptoRandom);
  assert.deepEqual(parseCells(serializeCells(cells)), cells);
  assert.throws(() => parseCells('A1,B2,Z9,C3'), /not a grid cell/);
});
