import { BlockList, isIPv4 } from 'node:net';

/**
 * OPERATOR_ALLOWED_IPS: the client addresses (or ranges) the console answers. An IPv4 client
 * reaching a dual-stack listener shows as `::ffff:a.b.c.d`, and is judged as the IPv4 address it is.
 */
export function allowListOf(entries: string[] | undefined): ((ip: string) => boolean) | undefined {
  if (!entries) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (ip) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    // mapped[1]: the pattern's one group, present whenever it matched.
    const address = mapped ? mapped[1]! : ip;
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  };
}
