import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPskc, type PskcKeys } from '../../src/auth/pskc/read.ts';
import { hardwareTokensFromPskc, hardwareTokensPerFileMax, type HardwareTokenSeed } from '../../src/auth/pskc/tokens.ts';
import { PskcRefusal, pskcReasons, type PskcReason } from '../../src/auth/pskc/refusal.ts';
import { pskcTextBytesMax, xmlDepthMax } from '../../src/auth/pskc/xml-tree.ts';

/**
 * The import of hardware tokens from PSKC files (RFC 6030): the RFC's own examples, files written
 * by another implementation (python-pskc), and files that are wrong or hostile. What each fixture
 * holds is in fixtures/pskc/README.md.
 */
const fixtures = join(import.meta.dirname, 'fixtures/pskc');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

const rfcTransportKey = Buffer.from('12345678901234567890123456789012', 'hex');
const rfcSecret = Buffer.from('12345678901234567890', 'ascii');
const aes128Key = Buffer.from('3c0b7e7f9d2a4e6b8c1d5f0a2e4b6c8d', 'hex');
const aes192Key = Buffer.from('00112233445566778899aabbccddeeff0011223344556677', 'hex');
const madePassword = 'Tokyo-2030-import';

const made = {
  plain: { file: 'made-plain.pskcxml', keys: {} },
  aes128: { file: 'made-preshared-aes128-hmac-sha256.pskcxml', keys: { transportKey: aes128Key } },
  aes192: { file: 'made-preshared-aes192-hmac-sha1.pskcxml', keys: { transportKey: aes192Key } },
  pbkdf2: { file: 'made-pbkdf2-aes256-hmac-sha256.pskcxml', keys: { password: madePassword } },
} as const satisfies Record<string, { file: string; keys: PskcKeys }>;

/** The two tokens every python-made file holds. */
const madeSeeds: HardwareTokenSeed[] = [
  { serial: 'HT2030-0001', secret: Buffer.from('12345678901234567890'), hash: 'sha1', digits: 6, timeStepSeconds: 60, expires: '2030-12-31' },
  { serial: 'HT2030-0002', secret: Buffer.from('09876543210987654321'), hash: 'sha256', digits: 6, timeStepSeconds: 60, expires: '2031-03-31' },
];

function refusal(run: () => unknown): PskcRefusal {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PskcRefusal, `not a refusal: ${String(error)}`);
    return error;
  }
  assert.fail('the file was taken');
}

function assertRefused(run: () => unknown, reason: PskcReason, serial?: string): PskcRefusal {
  const refused = refusal(run);
  assert.equal(refused.reason, reason, refused.message);
  assert.equal(refused.serial, serial, refused.message);
  return refused;
}

/** A plaintext PSKC file; each package's fields can be changed, or left out with null. */
interface TokenFields {
  serial?: string | null;
  algorithm?: string;
  secret?: Buffer | null;
  timeInterval?: string | null;
  length?: string | null;
  encoding?: string | null;
  suite?: string | null;
  deviceExpiry?: string | null;
  policyExpiry?: string | null;
}

function tokenPackage(fields: TokenFields = {}): string {
  const t = {
    serial: 'HT-0001',
    algorithm: 'urn:ietf:params:xml:ns:keyprov:pskc:totp',
    secret: rfcSecret,
    timeInterval: '60',
    length: '6',
    encoding: 'DECIMAL',
    suite: null,
    deviceExpiry: '2030-12-31T00:00:00Z',
    policyExpiry: null,
    ...fields,
  };
  const optional = (value: string | null, xml: (value: string) => string) => (value === null ? '' : xml(value));
  const response = t.length === null ? '' : `<ResponseFormat Length="${t.length}"${optional(t.encoding, (e) => ` Encoding="${e}"`)}/>`;
  return `
  <KeyPackage>
    <DeviceInfo>
      <Manufacturer>ExampleVendor</Manufacturer>
      ${optional(t.serial, (s) => `<SerialNo>${s}</SerialNo>`)}
      ${optional(t.deviceExpiry, (d) => `<ExpiryDate>${d}</ExpiryDate>`)}
    </DeviceInfo>
    <Key Id="k" Algorithm="${t.algorithm}">
      <AlgorithmParameters>${optional(t.suite, (s) => `<Suite>${s}</Suite>`)}${response}</AlgorithmParameters>
      <Data>
        ${t.secret === null ? '' : `<Secret><PlainValue>${t.secret.toString('base64')}</PlainValue></Secret>`}
        ${optional(t.timeInterval, (i) => `<TimeInterval><PlainValue>${i}</PlainValue></TimeInterval>`)}
      </Data>
      ${optional(t.policyExpiry, (d) => `<Policy><ExpiryDate>${d}</ExpiryDate></Policy>`)}
    </Key>
  </KeyPackage>`;
}

function pskcFile(packages: string[], root = '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}${packages.join('')}\n</KeyContainer>\n`;
}

const importOne = (fields: TokenFields) => hardwareTokensFromPskc(pskcFile([tokenPackage(fields)]), {});

describe('RFC 6030 examples', () => {
  test('Figure 2: a plaintext secret is read as the RFC gives it; an HOTP key is not imported', () => {
    const [key, ...more] = readPskc(fixture('rfc6030-figure2.pskcxml'), {});
    assert.equal(more.length, 0);
    assert.equal(key?.keyId, '12345678');
    assert.equal(key?.algorithm, 'urn:ietf:params:xml:ns:keyprov:pskc:hotp');
    assert.deepEqual(key?.secret, Buffer.from('1234'));
    assert.equal(key?.serial, undefined);
    assert.equal(key?.counter, undefined);
    assertRefused(() => hardwareTokensFromPskc(fixture('rfc6030-figure2.pskcxml'), {}), 'not_totp', undefined);
  });

  test('Figure 3: device information, counter and response format are read', () => {
    assert.deepEqual(readPskc(fixture('rfc6030-figure3.pskcxml'), {}), [
      {
        serial: '987654321',
        manufacturer: 'Manufacturer',
        keyId: '12345678',
        algorithm: 'urn:ietf:params:xml:ns:keyprov:pskc:hotp',
        secret: rfcSecret,
        counter: 0n,
        timeStepSeconds: undefined,
        digits: 8,
        encoding: 'DECIMAL',
        suite: undefined,
        expires: undefined,
      },
    ]);
    assertRefused(() => hardwareTokensFromPskc(fixture('rfc6030-figure3.pskcxml'), {}), 'not_totp', '987654321');
  });

  test('Figure 5: a secret under the pre-shared AES-128 key opens once its HMAC-SHA1 verifies', () => {
    const keys = { transportKey: rfcTransportKey };
    const [key, ...more] = readPskc(fixture('rfc6030-figure5.pskcxml'), keys);
    assert.equal(more.length, 0);
    assert.equal(key?.serial, '987654321');
    assert.equal(key?.manufacturer, 'Manufacturer');
    assert.equal(key?.keyId, '12345678');
    assert.equal(key?.algorithm, 'urn:ietf:params:xml:ns:keyprov:pskc:hotp');
    assert.deepEqual(key?.secret, rfcSecret);
    assert.equal(key?.counter, 0n);
    assert.equal(key?.digits, 8);
    assertRefused(() => hardwareTokensFromPskc(fixture('rfc6030-figure5.pskcxml'), keys), 'not_totp', '987654321');
  });

  test('Figure 6: a secret under a PBKDF2 key from the password "qwerty" opens once its MAC verifies', () => {
    const keys = { password: 'qwerty' };
    const [key, ...more] = readPskc(fixture('rfc6030-figure6.pskcxml'), keys);
    assert.equal(more.length, 0);
    assert.equal(key?.serial, '987654321');
    assert.equal(key?.manufacturer, 'TokenVendorAcme');
    assert.equal(key?.keyId, '123456');
    assert.equal(key?.algorithm, 'urn:ietf:params:xml:ns:keyprov:pskc:hotp');
    assert.deepEqual(key?.secret, rfcSecret);
    assert.equal(key?.counter, undefined);
    assert.equal(key?.digits, 8);
    assertRefused(() => hardwareTokensFromPskc(fixture('rfc6030-figure6.pskcxml'), keys), 'not_totp', '987654321');
  });
});

describe('files written by python-pskc', () => {
  for (const [name, { file, keys }] of Object.entries(made)) {
    test(`${name}: both tokens are imported with their secret, hash, time step, digits and expiry`, () => {
      assert.deepEqual(hardwareTokensFromPskc(fixture(file), keys), madeSeeds);
    });
  }

  test('the key read is what the file says, the key policy expiry before the device one', () => {
    const [first, second] = readPskc(fixture(made.aes128.file), made.aes128.keys);
    assert.equal(first?.manufacturer, 'ExampleVendor');
    assert.equal(first?.keyId, 'HT2030-0001');
    assert.equal(first?.suite, 'HMAC-SHA1');
    assert.equal(first?.encoding, 'DECIMAL');
    assert.equal(second?.suite, 'HMAC-SHA256');
    assert.equal(second?.expires, '2031-03-31'); // the device's is 2032-03-31
  });
});

describe('wrong keys and changed files', () => {
  test('a wrong transport key is always detected, as a bad MAC key (wrong_key) or a MAC that fails', () => {
    const seen = new Set<PskcReason>();
    for (let i = 0; i < 400; i++) {
      const refused = refusal(() => hardwareTokensFromPskc(fixture(made.aes128.file), { transportKey: randomBytes(16) }));
      assert.ok(refused.reason === 'wrong_key' || refused.reason === 'mac_mismatch', refused.message);
      seen.add(refused.reason);
    }
    // Garbage passes the padding check now and then (a last byte of 1–16): the MAC catches it then.
    assert.deepEqual([...seen].sort(), ['mac_mismatch', 'wrong_key']);
    const rfc = refusal(() => readPskc(fixture('rfc6030-figure5.pskcxml'), { transportKey: Buffer.alloc(16, 7) }));
    assert.ok(rfc.reason === 'wrong_key' || rfc.reason === 'mac_mismatch', rfc.message);
  });

  test('a wrong password is detected', () => {
    for (const [file, password] of [
      ['rfc6030-figure6.pskcxml', 'qwertz'],
      ['rfc6030-figure6.pskcxml', ''],
      [made.pbkdf2.file, 'tokyo-2030-import'],
    ] as const) {
      const refused = refusal(() => readPskc(fixture(file), { password }));
      assert.ok(refused.reason === 'wrong_key' || refused.reason === 'mac_mismatch', refused.message);
    }
  });

  test('a transport key of the wrong length for the cipher is a wrong key', () => {
    assertRefused(() => readPskc(fixture(made.aes128.file), { transportKey: aes192Key }), 'wrong_key');
    assertRefused(() => readPskc(fixture(made.aes192.file), { transportKey: aes128Key }), 'wrong_key');
  });

  test('every changed character of an encrypted secret fails its MAC before decryption, naming the key', () => {
    const text = fixture(made.aes128.file);
    const values = [...text.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)];
    // The MAC key's value first, then the two secrets'.
    const second = values[2];
    assert.ok(second?.index !== undefined && second[1] !== undefined);
    const start = second.index + '<xenc:CipherValue>'.length;
    for (let i = 0; i < second[1].length; i++) {
      const at = start + i;
      if (text[at] === '=') continue;
      const changed = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      // A change in the last block would spoil the padding: mac_mismatch shows the MAC came first.
      assertRefused(() => hardwareTokensFromPskc(changed, made.aes128.keys), 'mac_mismatch', 'HT2030-0002');
    }
  });

  test('a plaintext secret swapped into a file that encrypts its values is refused, alone or beside the encrypted one', () => {
    const text = fixture(made.aes128.file);
    const secret = /<pskc:Secret>[\s\S]*?<\/pskc:Secret>/.exec(text)![0];
    const swapped = text.replace(secret, '<pskc:Secret><pskc:PlainValue>QUFBQUFBQUFBQUFBQUFBQUFBQUE=</pskc:PlainValue></pskc:Secret>');
    assertRefused(() => hardwareTokensFromPskc(swapped, made.aes128.keys), 'plain_in_encrypted', 'HT2030-0001');
    const both = text.replace(secret, secret.replace('<pskc:EncryptedValue>', '<pskc:PlainValue>QUFBQUFBQUFBQUFBQUFBQUFBQUE=</pskc:PlainValue><pskc:EncryptedValue>'));
    assertRefused(() => hardwareTokensFromPskc(both, made.aes128.keys), 'plain_in_encrypted', 'HT2030-0001');
  });

  test('a changed ValueMAC is refused, naming the key', () => {
    const text = fixture(made.aes192.file);
    const changed = text.replace(/(<pskc:ValueMAC>)(.)/, (_all, tag: string, first: string) => tag + (first === 'A' ? 'B' : 'A'));
    assert.notEqual(changed, text);
    assertRefused(() => hardwareTokensFromPskc(changed, made.aes192.keys), 'mac_mismatch', 'HT2030-0001');
  });

  test('a changed MAC key is refused', () => {
    const text = fixture(made.aes128.file);
    const changed = text.replace(/(<pskc:MACKey>[\s\S]*?<xenc:CipherValue>.{30})(.)/, (_all, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    assert.notEqual(changed, text);
    const refused = refusal(() => hardwareTokensFromPskc(changed, made.aes128.keys));
    assert.ok(refused.reason === 'wrong_key' || refused.reason === 'mac_mismatch', refused.message);
  });

  test('an encrypted value without its ValueMAC is refused even with the right key (CBC has no integrity)', () => {
    const text = fixture(made.aes128.file).replaceAll(/<pskc:ValueMAC>[^<]*<\/pskc:ValueMAC>/g, '');
    assertRefused(() => hardwareTokensFromPskc(text, made.aes128.keys), 'mac_missing', 'HT2030-0001');
  });

  test('encrypted values in a file without MACMethod are refused', () => {
    const text = fixture(made.aes128.file).replace(/<pskc:MACMethod[\s\S]*<\/pskc:MACMethod>/, '');
    assertRefused(() => hardwareTokensFromPskc(text, made.aes128.keys), 'mac_missing', 'HT2030-0001');
  });

  test('the pre-RFC MACAlgorithm form and MAC algorithms other than HMAC-SHA1/SHA256 are refused', () => {
    const old = fixture(made.aes192.file).replace(
      /<pskc:MACMethod[\s\S]*<\/pskc:MACMethod>/,
      '<pskc:MACAlgorithm>http://www.w3.org/2000/09/xmldsig#hmac-sha1</pskc:MACAlgorithm>',
    );
    assertRefused(() => readPskc(old, made.aes192.keys), 'unsupported_mac');
    const md5 = fixture(made.aes192.file).replace('http://www.w3.org/2000/09/xmldsig#hmac-sha1', 'http://www.w3.org/2001/04/xmldsig-more#hmac-md5');
    assertRefused(() => readPskc(md5, made.aes192.keys), 'unsupported_mac');
  });

  test('a cipher other than AES-CBC is refused', () => {
    const wrapped = fixture('rfc6030-figure5.pskcxml').replaceAll('xmlenc#aes128-cbc', 'xmlenc#kw-aes128');
    assertRefused(() => readPskc(wrapped, { transportKey: rfcTransportKey }), 'unsupported_encryption', '987654321');
  });

  test('an encrypted file without its key is refused as needing one', () => {
    assertRefused(() => hardwareTokensFromPskc(fixture(made.aes128.file), {}), 'key_required');
    assertRefused(() => hardwareTokensFromPskc(fixture(made.aes128.file), { password: madePassword }), 'key_required');
    assertRefused(() => hardwareTokensFromPskc(fixture(made.pbkdf2.file), {}), 'key_required');
    assertRefused(() => hardwareTokensFromPskc(fixture(made.pbkdf2.file), { transportKey: aes128Key }), 'key_required');
    assertRefused(() => readPskc(fixture('rfc6030-figure5.pskcxml'), {}), 'key_required');
    assertRefused(() => readPskc(fixture('rfc6030-figure6.pskcxml'), {}), 'key_required');
  });

  test('PBKDF2 parameters out of bounds are refused before any work is done', () => {
    const text = fixture(made.pbkdf2.file);
    const started = performance.now();
    assertRefused(() => readPskc(text.replace('<IterationCount>100000<', '<IterationCount>1000001<'), made.pbkdf2.keys), 'derivation_refused');
    assertRefused(() => readPskc(text.replace('<IterationCount>100000<', '<IterationCount>99999999999999<'), made.pbkdf2.keys), 'derivation_refused');
    assertRefused(() => readPskc(text.replace('<IterationCount>100000<', '<IterationCount>0<'), made.pbkdf2.keys), 'derivation_refused');
    assert.ok(performance.now() - started < 1000);
    assertRefused(() => readPskc(text.replace('<KeyLength>32<', '<KeyLength>20<'), made.pbkdf2.keys), 'derivation_refused');
    assertRefused(() => readPskc(text.replace(/<KeyLength>32<\/KeyLength>/, ''), made.pbkdf2.keys), 'value_malformed');
  });

  test('a PBKDF2 PRF named by an Algorithm attribute (RFC 8018) is used, and XML Encryption padding is accepted', () => {
    const secret = randomBytes(20);
    const text = passwordFile({ password: 'p@ss', secret, prf: ['sha256', 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256'] });
    const [seed] = hardwareTokensFromPskc(text, { password: 'p@ss' });
    assert.deepEqual(seed?.secret, secret);
    const padded = passwordFile({ password: 'p@ss', secret, prf: ['sha512', 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512'], randomPadding: true });
    assert.deepEqual(hardwareTokensFromPskc(padded, { password: 'p@ss' })[0]?.secret, secret);
    const wrong = refusal(() => readPskc(text, { password: 'p@sS' }));
    assert.ok(wrong.reason === 'wrong_key' || wrong.reason === 'mac_mismatch', wrong.message);
  });
});

/**
 * A password-encrypted file (RFC 6030 §6.2) made here, for what python-pskc does not write: a PRF
 * given as an Algorithm attribute, and padding with random bytes (XML Encryption §5.2).
 */
function passwordFile(options: { password: string; secret: Buffer; prf: [string, string]; randomPadding?: boolean }): string {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(options.password, salt, 1000, 32, options.prf[0]);
  const macKey = randomBytes(20);
  const encrypt = (plain: Buffer) => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    cipher.setAutoPadding(false);
    const padding = 16 - (plain.length % 16);
    const pad = options.randomPadding ? Buffer.concat([randomBytes(padding - 1), Buffer.from([padding])]) : Buffer.alloc(padding, padding);
    return Buffer.concat([iv, cipher.update(Buffer.concat([plain, pad])), cipher.final()]);
  };
  const encryptedSecret = encrypt(options.secret);
  const method = '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>';
  return `<?xml version="1.0"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
    xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#">
  <EncryptionKey><xenc11:DerivedKey>
    <xenc11:KeyDerivationMethod Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
      <pkcs5:PBKDF2-params>
        <Salt><Specified>${salt.toString('base64')}</Specified></Salt>
        <IterationCount>1000</IterationCount><KeyLength>32</KeyLength>
        <PRF Algorithm="${options.prf[1]}"/>
      </pkcs5:PBKDF2-params>
    </xenc11:KeyDerivationMethod>
  </xenc11:DerivedKey></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <MACKey>${method}<xenc:CipherData><xenc:CipherValue>${encrypt(macKey).toString('base64')}</xenc:CipherValue></xenc:CipherData></MACKey>
  </MACMethod>
  <KeyPackage>
    <DeviceInfo><SerialNo>HT-PBKDF2</SerialNo><ExpiryDate>2030-12-31T00:00:00Z</ExpiryDate></DeviceInfo>
    <Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret>
          <EncryptedValue>${method}<xenc:CipherData><xenc:CipherValue>${encryptedSecret.toString('base64')}</xenc:CipherValue></xenc:CipherData></EncryptedValue>
          <ValueMAC>${createHmac('sha1', macKey).update(encryptedSecret).digest('base64')}</ValueMAC>
        </Secret>
        <TimeInterval><PlainValue>60</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>`;
}

describe("the bank's import rules", () => {
  test('a template token is imported (the refusals below each change one thing of it)', () => {
    assert.deepEqual(importOne({}), [{ serial: 'HT-0001', secret: rfcSecret, hash: 'sha1', digits: 6, timeStepSeconds: 60, expires: '2030-12-31' }]);
  });

  test('an HOTP key among TOTP keys refuses the whole file, naming it, and nothing is returned', () => {
    const text = pskcFile([
      tokenPackage({ serial: 'HT-0001' }),
      tokenPackage({ serial: 'HT-0002' }),
      tokenPackage({ serial: 'HT-0003', algorithm: 'urn:ietf:params:xml:ns:keyprov:pskc:hotp' }),
    ]);
    let imported: HardwareTokenSeed[] | undefined;
    assertRefused(() => (imported = hardwareTokensFromPskc(text, {})), 'not_totp', 'HT-0003');
    assert.equal(imported, undefined);
  });

  test('a serial twice in one file is refused', () => {
    const text = pskcFile([tokenPackage({ serial: 'HT-0001' }), tokenPackage({ serial: 'HT-0002' }), tokenPackage({ serial: 'HT-0001' })]);
    assertRefused(() => hardwareTokensFromPskc(text, {}), 'duplicate_serial', 'HT-0001');
  });

  test('only a 60-second time step is taken; none given means 30 seconds, refused too', () => {
    assertRefused(() => importOne({ timeInterval: '30' }), 'time_step', 'HT-0001');
    assertRefused(() => importOne({ timeInterval: null }), 'time_step', 'HT-0001');
  });

  test('only 6 decimal digits are taken', () => {
    assertRefused(() => importOne({ length: '8' }), 'digits', 'HT-0001');
    assertRefused(() => importOne({ length: null }), 'digits', 'HT-0001');
    assertRefused(() => importOne({ encoding: 'HEXADECIMAL' }), 'encoding', 'HT-0001');
    assert.equal(importOne({ encoding: null }).length, 1, 'no Encoding is decimal');
  });

  test('the hash comes from the suite: HMAC-SHA1 when none, SHA256 and SHA512; others are refused', () => {
    assert.equal(importOne({ suite: null })[0]?.hash, 'sha1');
    assert.equal(importOne({ suite: 'HMAC-SHA1' })[0]?.hash, 'sha1');
    assert.equal(importOne({ suite: 'HMAC-SHA256' })[0]?.hash, 'sha256');
    assert.equal(importOne({ suite: 'HMAC-SHA512' })[0]?.hash, 'sha512');
    assertRefused(() => importOne({ suite: 'HMAC-MD5' }), 'suite', 'HT-0001');
  });

  test('a secret is required and has at least 128 bits (RFC 4226 §4)', () => {
    assertRefused(() => importOne({ secret: null }), 'secret_missing', 'HT-0001');
    assertRefused(() => importOne({ secret: randomBytes(15) }), 'secret_too_short', 'HT-0001');
    assert.equal(importOne({ secret: randomBytes(16) }).length, 1);
  });

  test('a serial is required: 1 to 32 letters, digits or hyphens', () => {
    assertRefused(() => importOne({ serial: null }), 'serial_missing', undefined);
    assertRefused(() => importOne({ serial: '' }), 'serial_missing', '');
    for (const serial of ['HT 0001', 'HT_0001', 'Ｈ0001', 'x'.repeat(33), 'HT/0001']) {
      assertRefused(() => importOne({ serial }), 'serial_invalid', serial);
    }
    assert.equal(importOne({ serial: 'a'.repeat(32) }).length, 1);
  });

  test('an expiry date is required; the key policy date comes before the device one, in UTC', () => {
    assertRefused(() => importOne({ deviceExpiry: null }), 'expiry_missing', 'HT-0001');
    assert.equal(importOne({ policyExpiry: '2029-06-30T12:00:00Z' })[0]?.expires, '2029-06-30');
    assert.equal(importOne({ deviceExpiry: null, policyExpiry: '2029-06-30T00:00:00Z' })[0]?.expires, '2029-06-30');
    assert.equal(importOne({ deviceExpiry: '2030-04-01T00:00:00+09:00' })[0]?.expires, '2030-03-31');
    assert.equal(importOne({ deviceExpiry: '2030-04-01T00:00:00' })[0]?.expires, '2030-04-01');
    for (const date of ['2030-02-30T00:00:00Z', '2030-12-31', '31/12/2030', '2030-12-31T24:00:00Z']) {
      assertRefused(() => importOne({ deviceExpiry: date }), 'value_malformed', 'HT-0001');
    }
  });

  test('a file with no key is refused', () => {
    assertRefused(() => hardwareTokensFromPskc(pskcFile([]), {}), 'empty');
  });

  test(`at most ${hardwareTokensPerFileMax} keys in one file`, () => {
    const compact = (i: number) =>
      `<KeyPackage><DeviceInfo><SerialNo>S${i}</SerialNo><ExpiryDate>2030-12-31T00:00:00Z</ExpiryDate></DeviceInfo>` +
      '<Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><AlgorithmParameters><ResponseFormat Length="6"/></AlgorithmParameters>' +
      `<Data><Secret><PlainValue>${rfcSecret.toString('base64')}</PlainValue></Secret><TimeInterval><PlainValue>60</PlainValue></TimeInterval></Data></Key></KeyPackage>`;
    const packages = Array.from({ length: hardwareTokensPerFileMax }, (_, i) => compact(i));
    assert.equal(hardwareTokensFromPskc(pskcFile(packages), {}).length, hardwareTokensPerFileMax);
    assertRefused(() => hardwareTokensFromPskc(pskcFile([...packages, compact(hardwareTokensPerFileMax)]), {}), 'too_many_keys');
  });

  test('a value that is not of its type is refused, not skipped over', () => {
    const broken = pskcFile([tokenPackage()]).replace(rfcSecret.toString('base64'), 'MTIz*NDU2');
    assertRefused(() => hardwareTokensFromPskc(broken, {}), 'value_malformed', 'HT-0001');
    assertRefused(() => importOne({ timeInterval: 'sixty' }), 'value_malformed', 'HT-0001');
    assertRefused(() => importOne({ length: '-6' }), 'value_malformed', 'HT-0001');
  });
});

describe('hostile and broken XML', () => {
  test('XXE: a DOCTYPE with an external entity is refused before anything is read', () => {
    assertRefused(() => hardwareTokensFromPskc(fixture('xxe.pskcxml'), {}), 'doctype');
  });

  test('billion laughs: refused at the DOCTYPE, at once', () => {
    const started = performance.now();
    assertRefused(() => hardwareTokensFromPskc(fixture('billion-laughs.pskcxml'), {}), 'doctype');
    assert.ok(performance.now() - started < 1000);
  });

  test('any DOCTYPE is refused, even one declaring nothing', () => {
    const text = pskcFile([tokenPackage()]).replace('<KeyContainer', '<!DOCTYPE KeyContainer>\n<KeyContainer');
    assertRefused(() => hardwareTokensFromPskc(text, {}), 'doctype');
  });

  test('XML that is not well-formed is refused', () => {
    const good = pskcFile([tokenPackage()]);
    for (const broken of [
      good.replace('</Data>', ''),
      good.replace('HT-0001', 'HT-&undefined;'),
      good + '<KeyContainer/>',
      good.replace('<Data>', '<x:Data>'),
      good.slice(0, good.length / 2),
      '',
      'not xml at all',
    ]) {
      assertRefused(() => hardwareTokensFromPskc(broken, {}), 'xml_malformed');
    }
  });

  test(`a text of more than ${pskcTextBytesMax} bytes is refused, counting UTF-8 bytes`, () => {
    const good = pskcFile([tokenPackage()]);
    const filler = (bytes: number) => `<!--${'x'.repeat(bytes)}-->`;
    const atMost = good.replace('<KeyPackage>', `${filler(pskcTextBytesMax - Buffer.byteLength(good) - 7)}<KeyPackage>`);
    assert.equal(Buffer.byteLength(atMost), pskcTextBytesMax);
    assert.equal(hardwareTokensFromPskc(atMost, {}).length, 1);
    assertRefused(() => hardwareTokensFromPskc(atMost.replace('<!--x', '<!--xx'), {}), 'too_large');
    // Japanese text: 3 bytes in UTF-8 for one UTF-16 unit.
    assertRefused(() => hardwareTokensFromPskc(good.replace('<KeyPackage>', `<!--${'鍵'.repeat(pskcTextBytesMax / 3 + 1)}--><KeyPackage>`), {}), 'too_large');
  });

  test(`elements nested deeper than ${xmlDepthMax} are refused`, () => {
    const nest = (depth: number) => `${'<Extra>'.repeat(depth)}${'</Extra>'.repeat(depth)}`;
    // The root is level 1: root + 31 is as deep as is read.
    assert.equal(readPskc(pskcFile([tokenPackage(), nest(xmlDepthMax - 1)]), {}).length, 1);
    assertRefused(() => readPskc(pskcFile([tokenPackage(), nest(xmlDepthMax)]), {}), 'too_deep');
    assertRefused(() => readPskc(pskcFile([tokenPackage(), nest(100_000)]), {}), 'too_deep');
  });

  test('only a PSKC 1.0 KeyContainer is read', () => {
    const packages = [tokenPackage()];
    assertRefused(() => readPskc(pskcFile(packages, '<KeyContainer Version="1.0" xmlns="urn:example:other">'), {}), 'not_pskc');
    assertRefused(() => readPskc(pskcFile(packages, '<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'), {}), 'not_pskc');
    assertRefused(() => readPskc(pskcFile(packages, '<KeyContainer Version="2.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'), {}), 'not_pskc');
    assertRefused(() => readPskc('<KeyPackage xmlns="urn:ietf:params:xml:ns:keyprov:pskc"/>', {}), 'not_pskc');
  });
});

describe('refusals', () => {
  test('each reason is listed once', () => {
    assert.equal(new Set(pskcReasons).size, pskcReasons.length);
  });

  test('a refusal message never holds secret bytes', () => {
    const secret = Buffer.from('09876543210987654321');
    const forms = [secret.toString('base64'), secret.toString('hex'), secret.toString('ascii')];
    const text = fixture(made.aes128.file);
    const refusals = [
      refusal(() => hardwareTokensFromPskc(text.replace(/<xenc:CipherValue>A/g, '<xenc:CipherValue>B').replace(/<xenc:CipherValue>[^AB]/g, (v) => `${v.slice(0, -1)}A`), made.aes128.keys)),
      refusal(() => importOne({ secret: Buffer.from('0987654321') })),
      refusal(() => importOne({ secret, serial: 'HT 1' })),
      refusal(() => importOne({ secret, timeInterval: '30' })),
    ];
    for (const refused of refusals) {
      assert.ok(pskcReasons.includes(refused.reason));
      for (const form of forms) assert.ok(!refused.message.includes(form), refused.message);
      assert.ok(!refused.message.includes('0987654321'), refused.message);
    }
  });
});
