/**
 * How records follow one another in a file. Programs write a 120-byte record followed by CRLF, LF
 * or CR, or by nothing at all (records back to back); some trim the trailing spaces of each line,
 * some end the file with the old end-of-file mark 0x1A.
 */
export type ZenginFraming = 'crlf' | 'lf' | 'cr' | 'none';

export const framings: readonly ZenginFraming[] = ['crlf', 'lf', 'cr', 'none'];

export interface ZenginLayout {
  framing: ZenginFraming;
  /** The last record is followed by its separator too (always false for `none`). */
  finalSeparator: boolean;
  /** Trailing spaces were left out of lines. */
  trimmed: boolean;
  /** The file ends with 0x1A. */
  eofMark: boolean;
}

export const separatorBytes: Record<ZenginFraming, readonly number[]> = {
  crlf: [0x0d, 0x0a],
  lf: [0x0a],
  cr: [0x0d],
  none: [],
};

export const eofMarkByte = 0x1a;
