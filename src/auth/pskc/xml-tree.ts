import { SaxesParser } from 'saxes';
import { PskcRefusal } from './refusal.ts';

/**
 * A PSKC file read into a small tree of elements by saxes, a conforming non-validating XML parser.
 * A key file comes from outside the bank, so the reading is guarded:
 *
 * - any DOCTYPE is refused as soon as saxes reports it, before any element is read. With no DTD
 *   there are no external entities (XXE) and no entity expansion ("billion laughs"); saxes never
 *   fetches or expands a DTD itself, and an entity a DTD would have declared is then an undefined
 *   entity, which saxes reports as an error;
 * - the text and the nesting are bounded, so that the tree stays small;
 * - every error saxes reports (not well-formed, undefined entity, unbound prefix) is a refusal.
 */
export const pskcTextBytesMax = 4 * 1024 * 1024;
export const xmlDepthMax = 32;

/** Namespace declarations are how names are read, not data of the document. */
const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  /** '' for an attribute without prefix (XML Namespaces §6.3: it is in no namespace). */
  readonly uri: string;
  readonly value: string;
}

export interface XmlElement {
  /** '' when the element is in no namespace. */
  readonly uri: string;
  readonly local: string;
  /** By local name; of two with the same local name, the one without a namespace is kept. */
  readonly attributes: ReadonlyMap<string, XmlAttribute>;
  /** The element's own character data (text and CDATA), without that of its children. */
  readonly text: string;
  readonly children: readonly XmlElement[];
}

interface OpenElement {
  uri: string;
  local: string;
  attributes: Map<string, XmlAttribute>;
  text: string;
  children: OpenElement[];
}

export function readXmlTree(text: string): XmlElement {
  // A UTF-16 unit is at least one UTF-8 byte, so the first test spares counting a huge text.
  if (text.length > pskcTextBytesMax || Buffer.byteLength(text, 'utf8') > pskcTextBytesMax) {
    throw new PskcRefusal('too_large', undefined, `more than ${pskcTextBytesMax} bytes`);
  }
  const parser = new SaxesParser({ xmlns: true });
  const open: OpenElement[] = [];
  let root: OpenElement | undefined;

  parser.on('doctype', () => {
    throw new PskcRefusal('doctype', undefined, 'a document type declaration is not accepted');
  });
  parser.on('error', (error) => {
    throw new PskcRefusal('xml_malformed', undefined, error.message);
  });
  parser.on('opentag', (tag) => {
    if (open.length >= xmlDepthMax) {
      throw new PskcRefusal('too_deep', undefined, `elements nested deeper than ${xmlDepthMax}`);
    }
    const attributes = new Map<string, XmlAttribute>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.uri === xmlnsNamespace) continue;
      if (attribute.uri !== '' && attributes.has(attribute.local)) continue;
      attributes.set(attribute.local, { uri: attribute.uri, value: attribute.value });
    }
    const element: OpenElement = { uri: tag.uri, local: tag.local, attributes, text: '', children: [] };
    const parent = open.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    open.push(element);
  });
  parser.on('closetag', () => {
    open.pop();
  });
  const addText = (data: string) => {
    // Outside the root element saxes passes on white space only (anything else is its error).
    const current = open.at(-1);
    if (current) current.text += data;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof PskcRefusal) throw error;
    throw new PskcRefusal('xml_malformed', undefined, error instanceof Error ? error.message : 'unreadable XML');
  }
  if (!root) throw new PskcRefusal('xml_malformed', undefined, 'no root element');
  return root;
}

/** The children of `element` with this local name, in the namespace `uri` (any namespace when undefined). */
export function childrenNamed(element: XmlElement, local: string, uri?: string): XmlElement[] {
  return element.children.filter((child) => child.local === local && (uri === undefined || child.uri === uri));
}

export function childNamed(element: XmlElement | undefined, local: string, uri?: string): XmlElement | undefined {
  return element?.children.find((child) => child.local === local && (uri === undefined || child.uri === uri));
}

/** An attribute without namespace, as PSKC and XML Encryption write theirs. */
export function attributeValue(element: XmlElement | undefined, local: string): string | undefined {
  const attribute = element?.attributes.get(local);
  return attribute && attribute.uri === '' ? attribute.value : undefined;
}
