import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isZenginKana, nonZenginCharacters, toZenginKana, zenginDisplayKana } from './zengin-kana.ts';

const converts = (input: string, kana: string) => assert.deepEqual(toZenginKana(input), { ok: true, kana }, JSON.stringify(input));

test('hiragana, full-width and half-width katakana become the same half-width kana', () => {
  converts('やまだ たろう', 'ﾔﾏﾀﾞ ﾀﾛｳ');
  converts('ヤマダ　タロウ', 'ﾔﾏﾀﾞ ﾀﾛｳ');
  converts('ﾔﾏﾀﾞ ﾀﾛｳ', 'ﾔﾏﾀﾞ ﾀﾛｳ');
  converts('ぱぴぷぺぽ', 'ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ');
  converts('ヴィヴァルディ', 'ｳﾞｲｳﾞｱﾙﾃﾞｲ');
});

test('small kana are written large, as Zengin requires', () => {
  converts('きゃっしゅ', 'ｷﾔﾂｼﾕ');
  converts('ｧｨｩｪｫｬｭｮｯ', 'ｱｲｳｴｵﾔﾕﾖﾂ');
  converts('ァィゥェォャュョッヮヵヶ', 'ｱｲｳｴｵﾔﾕﾖﾂﾜｶｹ');
  converts('ぁぃぅぇぉゃゅょっゎ', 'ｱｲｳｴｵﾔﾕﾖﾂﾜ');
});

test('the long vowel mark and dashes become "-"; ヲ, outside ｱ-ﾝ, becomes ｵ', () => {
  converts('コーヒー', 'ｺ-ﾋ-');
  converts('ｺｰﾋｰ', 'ｺ-ﾋ-');
  converts('A－B−C‐D', 'A-B-C-D');
  converts('ヲ', 'ｵ');
});

test('voiced marks in every form end as separate ﾞ ﾟ', () => {
  converts('カ\u3099', 'ｶﾞ');
  converts('ハ\u309A', 'ﾊﾟ');
  converts('カ゛ハ゜', 'ｶﾞﾊﾟ');
});

test('letters are upper-case and half-width; digits half-width', () => {
  converts('abc xyz', 'ABC XYZ');
  converts('ＡＢＣ１２３ｄｅｆ', 'ABC123DEF');
});

test('the allowed symbols pass, their full-width forms become half-width', () => {
  converts('ｶ)ﾔﾏﾀﾞ', 'ｶ)ﾔﾏﾀﾞ');
  converts('（ｶ）．／，', '(ｶ)./,');
  converts('「ﾔﾏﾀﾞ」', '｢ﾔﾏﾀﾞ｣');
  converts('￥100', '¥100');
  converts('\\100', '¥100');
});

test('spaces at either end are dropped, inner spaces kept', () => {
  converts('  ﾔﾏﾀﾞ  ﾀﾛｳ　', 'ﾔﾏﾀﾞ  ﾀﾛｳ');
});

test('kanji and other characters are refused, naming the first offending character', () => {
  assert.deepEqual(toZenginKana('山田 太郎'), { ok: false, problem: 'unconvertible', offending: '山' });
  assert.deepEqual(toZenginKana('ﾔﾏﾀﾞ株式会社'), { ok: false, problem: 'unconvertible', offending: '株' });
  assert.deepEqual(toZenginKana('㈱ﾔﾏﾀﾞ'), { ok: false, problem: 'unconvertible', offending: '㈱' });
  assert.deepEqual(toZenginKana('ﾔﾏﾀﾞ・ﾀﾛｳ'), { ok: false, problem: 'unconvertible', offending: '・' });
  assert.deepEqual(toZenginKana('A&B'), { ok: false, problem: 'unconvertible', offending: '&' });
  assert.deepEqual(toZenginKana('ß'), { ok: false, problem: 'unconvertible', offending: 'ß' });
  assert.deepEqual(toZenginKana('ﾔﾏﾀﾞ\tﾀﾛｳ'), { ok: false, problem: 'unconvertible', offending: '\t' });
  assert.deepEqual(toZenginKana('ﾔﾏﾀﾞ😀'), { ok: false, problem: 'unconvertible', offending: '😀' });
});

test('an empty or blank name is refused as empty; a long one as too long, counted after conversion', () => {
  assert.deepEqual(toZenginKana(''), { ok: false, problem: 'empty' });
  assert.deepEqual(toZenginKana(' 　 '), { ok: false, problem: 'empty' });
  assert.equal(toZenginKana('ア'.repeat(30)).ok, true);
  assert.deepEqual(toZenginKana('ア'.repeat(31)), { ok: false, problem: 'too_long' });
  // ガ is two characters (ｶﾞ) in the fixed-length record.
  assert.equal(toZenginKana('ガ'.repeat(15)).ok, true);
  assert.deepEqual(toZenginKana('ガ'.repeat(16)), { ok: false, problem: 'too_long' });
  assert.deepEqual(toZenginKana('ABCDE', 4), { ok: false, problem: 'too_long' });
});

test('the strict check names characters outside the Zengin set', () => {
  assert.deepEqual(nonZenginCharacters('ﾃｽﾄｰ.ｶﾌﾞｼｷｶﾞｲｼﾔ'), ['ｰ']);
  assert.deepEqual(nonZenginCharacters('ｷﾔﾂｼﾕ ﾀﾛｳ'), []);
  assert.equal(isZenginKana('ﾃｽﾄｰ'), false);
  assert.equal(isZenginKana('ｧ'), false);
  assert.equal(isZenginKana('abc'), false);
  assert.equal(isZenginKana(' ABC'), false);
  assert.equal(isZenginKana(''), false);
  assert.equal(isZenginKana('ABC'), true);
});

test('the directory’s full-width kana are shown in Zengin form', () => {
  assert.equal(zenginDisplayKana('ミツビシユーエフジエイ'), 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ');
  assert.equal(zenginDisplayKana('ミズホ'), 'ﾐｽﾞﾎ');
});

// Characters people type: every kind the conversion handles, and some it must refuse.
const zenginAlphabet = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ()-./,¥｢｣ﾞﾟ', ...Array.from({ length: 0xff9d - 0xff71 + 1 }, (_, i) => String.fromCharCode(0xff71 + i))];
const typedAlphabet = [
  ...zenginAlphabet,
  ...'abcxyzＡＺａｚ０９（）－．／，￥「」　ーｰ−‐ｧｯｬｦヲヮヵヶ\u3099\u309A゛゜\\',
  ...Array.from({ length: 0x3096 - 0x3041 + 1 }, (_, i) => String.fromCharCode(0x3041 + i)),
  ...Array.from({ length: 0x30fa - 0x30a1 + 1 }, (_, i) => String.fromCharCode(0x30a1 + i)),
  ...'山田株・&!?@#%~\t\n😀ßéΩ㈱①',
];
const typed = fc.string({ unit: fc.constantFrom(...typedAlphabet), maxLength: 40 });
const validName = fc
  .string({ unit: fc.constantFrom(...zenginAlphabet), minLength: 1, maxLength: 30 })
  .filter((name) => !name.startsWith(' ') && !name.endsWith(' '));

test('property: whatever is typed, a successful conversion is valid Zengin text', () => {
  fc.assert(
    fc.property(typed, (input) => {
      const result = toZenginKana(input);
      if (result.ok) assert.ok(isZenginKana(result.kana), JSON.stringify(result.kana));
      else if (result.problem === 'unconvertible') assert.ok(input.includes(result.offending!), 'the offending character is one that was typed');
    }),
    { numRuns: 3000 },
  );
});

test('property: a valid Zengin name converts to itself (idempotent)', () => {
  fc.assert(fc.property(validName, (name) => assert.deepEqual(toZenginKana(name), { ok: true, kana: name })), { numRuns: 3000 });
});

test('property: converting a converted name changes nothing', () => {
  fc.assert(
    fc.property(typed, (input) => {
      const once = toZenginKana(input);
      if (once.ok) assert.deepEqual(toZenginKana(once.kana), once);
    }),
    { numRuns: 3000 },
  );
});
