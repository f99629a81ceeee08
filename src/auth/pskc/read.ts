import { valueOpener, type DataValue, type PskcKeys } from './decrypt.ts';
import { pskcNamespace } from './names.ts';
import { PskcRefusal } from './refusal.ts';
import { fromBase64, fromBigEndian, fromDecimal, smallNumber, utcDateOf } from './values.ts';
import { attributeValue, childNamed, childrenNamed, readXmlTree, type XmlElement } from './xml-tree.ts';

export type { PskcKeys } from './decrypt.ts';

/** One Key of a PSKC file (RFC 6030 §4), with its device's information, as the file gives it. */
export interface PskcKey {
  /** DeviceInfo/SerialNo */
  serial: string | undefined;
  /** DeviceInfo/Manufacturer */
  manufacturer: string | undefined;
  /** Key/@Id */
  keyId: string | undefined;
  /** Key/@Algorithm, a URI (RFC 6030 §10) */
  algorithm: string | undefined;
  /** Data/Secret, decrypted when the file encrypts it */
  secret: Buffer | undefined;
  /** Data/Counter */
  counter: bigint | undefined;
  /** Data/TimeInterval */
  timeStepSeconds: number | undefined;
  /** AlgorithmParameters/ResponseFormat/@Length */
  digits: number | undefined;
  /** AlgorithmParameters/ResponseFormat/@Encoding */
  encoding: string | undefined;
  /** AlgorithmParameters/Suite, e.g. HMAC-SHA1 */
  suite: string | undefined;
  /** 'YYYY-MM-DD' (UTC) of Key/Policy/ExpiryDate, else of DeviceInfo/ExpiryDate */
  expires: string | undefined;
}

/**
 * Reads every KeyPackage/Key of a PSKC 1.0 file. Throws PskcRefusal when the file is not one, or
 * when an encrypted value cannot be opened and verified with the keys given. Signatures
 * (ds:Signature, RFC 6030 §7) are not checked: the MAC and the out-of-band key stand for them.
 */
export function readPskc(text: string, keys: PskcKeys): PskcKey[] {
  const container = readXmlTree(text);
  if (container.uri !== pskcNamespace || container.local !== 'KeyContainer') {
    throw new PskcRefusal('not_pskc', undefined, 'the root element is not a PSKC KeyContainer');
  }
  if (attributeValue(container, 'Version') !== '1.0') {
    throw new PskcRefusal('not_pskc', undefined, 'only PSKC version 1.0 is read');
  }
  const open = valueOpener(container, keys);
  const found: PskcKey[] = [];
  for (const keyPackage of childrenNamed(container, 'KeyPackage', pskcNamespace)) {
    const device = childNamed(keyPackage, 'DeviceInfo', pskcNamespace);
    const serial = textOf(device, 'SerialNo');
    for (const key of childrenNamed(keyPackage, 'Key', pskcNamespace)) {
      found.push(readKey(key, device, serial, open));
    }
  }
  return found;
}

function readKey(
  key: XmlElement,
  device: XmlElement | undefined,
  serial: string | undefined,
  open: (data: XmlElement, serial: string | undefined) => DataValue | undefined,
): PskcKey {
  const parameters = childNamed(key, 'AlgorithmParameters', pskcNamespace);
  const response = childNamed(parameters, 'ResponseFormat', pskcNamespace);
  const data = childNamed(key, 'Data', pskcNamespace);
  const value = (name: string) => {
    const element = childNamed(data, name, pskcNamespace);
    return element ? open(element, serial) : undefined;
  };
  const integer = (name: string): bigint | undefined => {
    const found = value(name);
    if (!found) return undefined;
    return found.kind === 'plain' ? fromDecimal(found.text, serial, name) : fromBigEndian(found.bytes, serial, name);
  };

  const secret = value('Secret');
  const timeStep = integer('TimeInterval');
  const length = attributeValue(response, 'Length');
  const expiry = textOf(childNamed(key, 'Policy', pskcNamespace), 'ExpiryDate') ?? textOf(device, 'ExpiryDate');
  return {
    serial,
    manufacturer: textOf(device, 'Manufacturer'),
    keyId: attributeValue(key, 'Id'),
    algorithm: attributeValue(key, 'Algorithm'),
    secret: secret === undefined ? undefined : secret.kind === 'plain' ? fromBase64(secret.text, serial, 'Secret') : secret.bytes,
    counter: integer('Counter'),
    timeStepSeconds: timeStep === undefined ? undefined : smallNumber(timeStep, serial, 'TimeInterval'),
    digits: length === undefined ? undefined : smallNumber(fromDecimal(length, serial, 'ResponseFormat Length'), serial, 'ResponseFormat Length'),
    encoding: attributeValue(response, 'Encoding'),
    suite: textOf(parameters, 'Suite'),
    expires: expiry === undefined ? undefined : utcDateOf(expiry, serial, 'ExpiryDate'),
  };
}

/** The trimmed text of a PSKC child element, or undefined when there is none. */
function textOf(parent: XmlElement | undefined, local: string): string | undefined {
  return childNamed(parent, local, pskcNamespace)?.text.trim();
}
