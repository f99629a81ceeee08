import Encoding from 'encoding-japanese';

/**
 * R8.2: a payee's name as it goes into a Zengin transfer record: half-width kana, upper-case
 * letters, digits and the few symbols the Zengin character set allows. People type names in every
 * form (hiragana, full-width katakana, full-width letters); this turns what they typed into that set,
 * or says which character cannot be turned.
 *
 * The yen sign is kept as U+00A5 (how people read it); in Shift_JIS it is byte 0x5C, which a file
 * writer has to map (encoding-japanese would otherwise write "?").
 */
export type ZenginKanaResult =
  | { ok: true; kana: string }
  | { ok: false; problem: 'empty' | 'too_long' | 'unconvertible'; offending?: string };

/** The Zengin character set: 0-9 A-Z ｱ-ﾝ ﾞ ﾟ space ( ) - . / , ¥ ｢ ｣ (｢｣ are the half-width 「」). */
const zenginCharacters = /^[0-9A-Z\uFF71-\uFF9D\uFF9E\uFF9F ()\-./,\u00A5\uFF62\uFF63]$/u;

/** A Zengin name field: only allowed characters, not blank at either end, at most maxLength. */
export function isZenginKana(text: string, maxLength = 30): boolean {
  if (text.length === 0 || text.length > maxLength) return false;
  if (text.startsWith(' ') || text.endsWith(' ')) return false;
  for (const char of text) if (!zenginCharacters.test(char)) return false;
  return true;
}

/** The characters outside the Zengin set, in the order they appear (for a strict check of files). */
export function nonZenginCharacters(text: string): string[] {
  return [...text].filter((char) => !zenginCharacters.test(char));
}

// Small kana are written large in Zengin text: ｧ→ｱ, ｯ→ﾂ, ｬ→ﾔ. ｦ is outside ｱ-ﾝ; banks write it ｵ.
const enlarged: Record<string, string> = {
  'ｧ': 'ｱ', 'ｨ': 'ｲ', 'ｩ': 'ｳ', 'ｪ': 'ｴ', 'ｫ': 'ｵ',
  'ｬ': 'ﾔ', 'ｭ': 'ﾕ', 'ｮ': 'ﾖ', 'ｯ': 'ﾂ', 'ｦ': 'ｵ',
  // Kana encoding-japanese leaves full-width (no half-width form exists).
  'ヮ': 'ﾜ', 'ヵ': 'ｶ', 'ヶ': 'ｹ', 'ヰ': 'ｲ', 'ヱ': 'ｴ',
  'ㇰ': 'ｸ', 'ㇱ': 'ｼ', 'ㇲ': 'ｽ', 'ㇳ': 'ﾄ', 'ㇴ': 'ﾇ', 'ㇵ': 'ﾊ', 'ㇶ': 'ﾋ', 'ㇷ': 'ﾌ',
  'ㇸ': 'ﾍ', 'ㇹ': 'ﾎ', 'ㇺ': 'ﾑ', 'ㇻ': 'ﾗ', 'ㇼ': 'ﾘ', 'ㇽ': 'ﾙ', 'ㇾ': 'ﾚ', 'ㇿ': 'ﾛ',
};

// Characters typed for an allowed one: the long vowel mark and dashes are "-", every space is one
// space, the voiced marks in their other forms are ﾞ ﾟ, and the yen sign and brackets are half-width.
const equivalents: Record<string, string> = {
  'ー': '-', 'ｰ': '-', '−': '-', '‐': '-', '‑': '-', '–': '-', '—': '-', '―': '-', '－': '-',
  '\u3000': ' ',
  '\u3099': 'ﾞ', '\u309A': 'ﾟ', '゛': 'ﾞ', '゜': 'ﾟ',
  '\\': '\u00A5', '￥': '\u00A5',
  '「': '｢', '」': '｣',
};

/** One typed character in Zengin form ('' when none exists). */
function convertCharacter(char: string): string {
  const direct = equivalents[char] ?? enlarged[char];
  if (direct !== undefined) return direct;
  // Full-width ASCII to ASCII, hiragana to katakana, katakana to half-width (ガ → ｶﾞ).
  const halfWidth = Encoding.toHankanaCase(Encoding.toKatakanaCase(Encoding.toHankakuCase(char)));
  let out = '';
  for (const part of halfWidth) {
    const mapped = equivalents[part] ?? enlarged[part] ?? (part >= 'a' && part <= 'z' ? part.toUpperCase() : part);
    if (!zenginCharacters.test(mapped)) return '';
    out += mapped;
  }
  return out;
}

/**
 * What a person typed, as a Zengin name of at most maxLength characters (each ﾞ ﾟ counts as one,
 * as in the fixed-length record). Leading and trailing spaces are dropped; inner ones are kept.
 * Company abbreviations (ｶ) and the like) are the person's to type: nothing is added or reordered.
 */
export function toZenginKana(input: string, maxLength = 30): ZenginKanaResult {
  let kana = '';
  for (const char of input) {
    const converted = convertCharacter(char);
    if (converted === '') return { ok: false, problem: 'unconvertible', offending: char };
    kana += converted;
  }
  kana = kana.replace(/^ +| +$/g, '');
  if (kana === '') return { ok: false, problem: 'empty' };
  if (kana.length > maxLength) return { ok: false, problem: 'too_long' };
  return { ok: true, kana };
}

/** Full-width katakana (as the bank directory stores names) shown in Zengin half-width form. */
export function zenginDisplayKana(fullWidth: string): string {
  const result = toZenginKana(fullWidth, Number.MAX_SAFE_INTEGER);
  return result.ok ? result.kana : fullWidth;
}
