/**
 * Why a PSKC file (RFC 6030) was refused. A file is taken whole or not at all, so one reason is
 * enough; when it concerns one key, the refusal names that key's serial so that a bank operator
 * can find it in the file.
 */
export const pskcReasons = [
  // the file as XML
  'too_large',
  'too_deep',
  'xml_malformed',
  'doctype',
  'not_pskc',
  'value_malformed',
  // encryption and integrity (RFC 6030 §6)
  'unsupported_encryption',
  'unsupported_mac',
  'derivation_refused',
  'key_required',
  'wrong_key',
  'mac_missing',
  'mac_mismatch',
  'plain_in_encrypted',
  // the bank's rules for a hardware token
  'not_totp',
  'time_step',
  'digits',
  'encoding',
  'suite',
  'secret_missing',
  'secret_too_short',
  'serial_missing',
  'serial_invalid',
  'expiry_missing',
  'duplicate_serial',
  'empty',
  'too_many_keys',
] as const;

export type PskcReason = (typeof pskcReasons)[number];

/** A serial is shown as far as this, in case the file puts a long text there. */
const serialShownMax = 64;

/**
 * The one error a PSKC file is refused with. Its message holds the reason, the serial and a fixed
 * detail written here: never a value read from a key, so no secret reaches a log through it.
 */
export class PskcRefusal extends Error {
  readonly reason: PskcReason;
  readonly serial: string | undefined;

  constructor(reason: PskcReason, serial?: string, detail?: string) {
    const shown = serial === undefined ? undefined : serial.slice(0, serialShownMax);
    super(
      `PSKC file refused: ${reason}` +
        (shown === undefined ? '' : ` (serial ${JSON.stringify(shown)})`) +
        (detail === undefined ? '' : `: ${detail}`),
    );
    this.name = 'PskcRefusal';
    this.reason = reason;
    this.serial = shown;
  }
}
