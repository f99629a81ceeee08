import type { ZenginFieldName } from './fields.ts';

/**
 * Why a Zengin file is not accepted, one code per kind of mistake (messages: `zengin.reason.<code>`
 * in src/modules/zengin/messages.ts). A problem names the record (the first 120-byte record of the
 * file is 1; null for the file as a whole) and the field.
 */
export const zenginReasons = [
  // The file as a whole.
  'empty_file',
  'binary_file',
  'utf8_text',
  'no_batch',
  'no_end',
  // A record's place and length.
  'record_length',
  'unknown_data_kind',
  'no_header',
  'no_trailer',
  'after_trailer',
  'after_end',
  // Bytes and characters.
  'undefined_byte',
  'kanji',
  'small_kana',
  'not_zengin_character',
  // Field values.
  'not_numeric',
  'blank',
  'invalid_date',
  'invalid_value',
  'unknown_type_code',
  'mixed_type_code',
  'filler_not_blank',
  'amount_zero',
  'trailer_count',
  'trailer_total',
  'unknown_bank',
  'unknown_branch',
  'not_own_bank',
] as const;

export type ZenginReason = (typeof zenginReasons)[number];

/** Where a problem lies when no single field holds it. */
export type ZenginProblemField = ZenginFieldName | 'record' | 'file';

export interface ZenginProblem {
  /** 1 for the first 120-byte record of the file; null for a problem of the whole file. */
  record: number | null;
  field: ZenginProblemField;
  reason: ZenginReason;
  /** Values for the message: the offending characters, the expected count, and so on. */
  params?: Record<string, string>;
}

/**
 * Character problems a lenient check (`strict: false`) reports as warnings: text that is Shift_JIS
 * half-width but outside the Zengin set, which some receiving systems accept.
 */
export const lenientReasons: ReadonlySet<ZenginReason> = new Set(['small_kana', 'not_zengin_character']);
