import Encoding from 'encoding-japanese';

/**
 * Zengin files are Shift_JIS, of which a record may hold only the single-byte part, JIS X 0201:
 * its Roman half (0x20–0x7E, where 0x5C is the yen sign and 0x7E the overline) and its half-width
 * katakana (0xA1–0xDF). The table is written out here rather than left to a general decoder, which
 * would read 0x5C as a backslash and turn what it cannot map into "?"; every other byte is reported.
 */
const byteToChar: (string | undefined)[] = Array.from({ length: 256 }, () => undefined);
for (let byte = 0x20; byte <= 0x7e; byte++) byteToChar[byte] = String.fromCharCode(byte);
byteToChar[0x5c] = '\u00A5';
byteToChar[0x7e] = '\u203E';
for (let byte = 0xa1; byte <= 0xdf; byte++) byteToChar[byte] = String.fromCharCode(0xff61 + byte - 0xa1);

const charToByte = new Map<string, number>();
byteToChar.forEach((char, byte) => {
  if (char !== undefined) charToByte.set(char, byte);
});

/** The first byte of a Shift_JIS double-byte character (kanji, full-width kana and letters). */
export function isShiftJisLeadByte(byte: number): boolean {
  return (byte >= 0x81 && byte <= 0x9f) || (byte >= 0xe0 && byte <= 0xfc);
}

/** A piece of a field as read: a JIS X 0201 character, a double-byte character, or a byte that is neither. */
export type DecodedPiece =
  | { kind: 'char'; char: string }
  | { kind: 'double'; char: string }
  | { kind: 'undefined'; byte: number };

/** Shown in a value where a byte was not a JIS X 0201 character (always with a problem reported). */
export const replacementChar = '\uFFFD';

/**
 * The bytes of one field, piece by piece. A double-byte character is named as encoding-japanese
 * reads it (exact for JIS X 0208) when both its bytes lie in the field, else as unknown.
 */
export function decodeField(bytes: Uint8Array): DecodedPiece[] {
  const pieces: DecodedPiece[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const char = byteToChar[byte];
    if (char !== undefined) {
      pieces.push({ kind: 'char', char });
    } else if (isShiftJisLeadByte(byte) && i + 1 < bytes.length) {
      const pair = Encoding.convert([byte, bytes[i + 1]!], { from: 'SJIS', to: 'UNICODE', type: 'string' });
      pieces.push({ kind: 'double', char: pair.length === 1 && pair !== '?' ? pair : replacementChar });
      i++;
    } else {
      pieces.push({ kind: 'undefined', byte });
    }
  }
  return pieces;
}

/** The text of decoded pieces, each piece one character (the replacement character for a bad byte). */
export function piecesText(pieces: DecodedPiece[]): string {
  return pieces.map((piece) => (piece.kind === 'undefined' ? replacementChar : piece.char)).join('');
}

/** The JIS X 0201 byte of a character, undefined when it has none. */
export function jisX0201Byte(char: string): number | undefined {
  return charToByte.get(char);
}
