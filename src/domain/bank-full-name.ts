/**
 * A bank's name as its customers write it, with its type: the published data (zengin-code) keeps
 * short names — 'みずほ', '北海道信金', '今金町農協' — which read wrongly on a transfer page or in an
 * email ('みずほ' is not a bank's name; 'みずほ銀行' is). The type follows from the code's range and
 * the short name's ending, as the Zengin system assigns them.
 */
const endings: readonly (readonly [string, string])[] = [
  ['信漁連', '信用漁業協同組合連合会'],
  ['信金', '信用金庫'],
  ['信組', '信用組合'],
  ['労金', '労働金庫'],
  ['信連', '信用農業協同組合連合会'],
  ['農協', '農業協同組合'],
  ['漁協', '漁業協同組合'],
];

/** Names that are abbreviations as a whole. */
const wholeNames: Readonly<Record<string, string>> = {
  信金中央金庫: '信金中央金庫',
  商工中金: '商工組合中央金庫',
  農林中金: '農林中央金庫',
  全信組連: '全国信用協同組合連合会',
  労金連: '労働金庫連合会',
  ゆうちょ: 'ゆうちょ銀行',
};

/** '0001', 'みずほ' → 'みずほ銀行'; '1001', '北海道信金' → '北海道信用金庫'; full-width letters as half-width (ＳＢＩ → SBI). */
export function bankFullName(code: string, shortName: string): string {
  const name = shortName.normalize('NFKC');
  const whole = wholeNames[name];
  if (whole !== undefined) return whole;
  for (const [ending, full] of endings) {
    if (name.endsWith(ending)) return name.slice(0, -ending.length) + full;
  }
  // Codes 0001–0999 are banks (city, trust, regional, second-tier regional, internet and foreign banks).
  if (/^0\d{3}$/.test(code) && !name.endsWith('銀行')) return `${name}銀行`;
  return name;
}
