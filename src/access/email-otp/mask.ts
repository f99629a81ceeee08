/**
 * An address as pages, audit records and the help desk show it (R9.1: "sent to which address"
 * without spelling it out): the first character of the local part, then asterisks, and the domain.
 * `taro.yamada@example.co.jp` → `t*****@example.co.jp`.
 */
export function maskedAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '*****';
  return `${address.slice(0, 1)}*****${address.slice(at)}`;
}
