// A minimal DER encoder and reader for the certificate request and the PKCS#12 file that the browser
// builds itself (R4.3: the key pair is made in the browser and the private key never leaves the PC,
// so no server-side library can do this part). Only the types those two structures use are here.

const textEncoder = new TextEncoder();

/** @param {Uint8Array[]} parts */
export function concatBytes(parts) {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** @param {number} length */
function encodeLength(length) {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/**
 * One element: tag, length, contents.
 * @param {number} tag @param {Uint8Array} contents
 */
export function tlv(tag, contents) {
  return concatBytes([Uint8Array.of(tag), encodeLength(contents.length), contents]);
}

/** @param {...Uint8Array} elements */
export function sequence(...elements) {
  return tlv(0x30, concatBytes(elements));
}

/**
 * DER orders the members of a SET OF by their encodings.
 * @param {...Uint8Array} elements
 */
export function set(...elements) {
  const sorted = [...elements].sort(compareBytes);
  return tlv(0x31, concatBytes(sorted));
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * An unsigned big-endian integer, given as bytes or as a small non-negative number.
 * @param {Uint8Array | number} value
 */
export function integer(value) {
  let bytes;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('integer: a non-negative safe integer');
    const digits = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest % 256);
    bytes = Uint8Array.from(digits);
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = bytes.subarray(start);
  if (body.length === 0) body = Uint8Array.of(0);
  // A leading one bit would make it negative: a zero byte in front keeps it positive.
  if (body[0] & 0x80) body = concatBytes([Uint8Array.of(0), body]);
  return tlv(0x02, body);
}

/** @param {string} dotted */
export function oid(dotted) {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) throw new RangeError(`oid: ${dotted}`);
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const bytes = [];
  for (const value of values) {
    const group = [value % 128];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) group.unshift(0x80 | (rest % 128));
    bytes.push(...group);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

export function nullValue() {
  return Uint8Array.of(0x05, 0x00);
}

/** @param {Uint8Array} bytes */
export function octetString(bytes) {
  return tlv(0x04, bytes);
}

/** A BIT STRING of whole bytes (no unused bits). @param {Uint8Array} bytes */
export function bitString(bytes) {
  return tlv(0x03, concatBytes([Uint8Array.of(0), bytes]));
}

/** @param {string} text */
export function utf8String(text) {
  return tlv(0x0c, textEncoder.encode(text));
}

/** UTF-16 big-endian, as PKCS#12 friendly names are written. @param {string} text */
export function bmpString(text) {
  return tlv(0x1e, bmpBytes(text));
}

/** @param {string} text */
export function bmpBytes(text) {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/**
 * A context-specific tag: [n] EXPLICIT wraps a whole element, [n] IMPLICIT replaces the tag of a
 * constructed element's contents.
 * @param {number} number @param {Uint8Array} contents
 */
export function contextConstructed(number, contents) {
  return tlv(0xa0 | number, contents);
}

/**
 * Reads one element at `offset`.
 * @param {Uint8Array} bytes @param {number} [offset]
 * @returns {{ tag: number; start: number; contentStart: number; end: number }}
 */
export function readElement(bytes, offset = 0) {
  if (offset + 2 > bytes.length) throw new RangeError('DER: truncated');
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || contentStart + count > bytes.length) throw new RangeError('DER: bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > bytes.length) throw new RangeError('DER: truncated');
  return { tag, start: offset, contentStart, end };
}

/**
 * The elements inside a constructed element.
 * @param {Uint8Array} bytes @param {{ contentStart: number; end: number }} parent
 */
export function childrenOf(bytes, parent) {
  const children = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readElement(bytes, offset);
    if (child.end > parent.end) throw new RangeError('DER: child overruns its parent');
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** @param {string} text */
export function fromBase64(text) {
  const binary = atob(text.replace(/\s+/g, ''));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** @param {string} label @param {Uint8Array} der */
export function toPem(label, der) {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER inside the first PEM block with this label.
 * @param {string} label @param {string} pem
 */
export function fromPem(label, pem) {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`no ${label} in the PEM text`);
  return fromBase64(match[1]);
}
