import { BlockList, isIP } from 'node:net';

// Addresses a webhook receiver must never be: what a request from inside our network could reach that the internet
// cannot (loopback, private and carrier-grade NAT ranges, link-local with the cloud metadata services, multicast,
// reserved and documentation ranges, IPv6 unique-local, and the IPv6 forms that embed an IPv4 address). Pure: the
// answer depends on the address alone (node:net's BlockList is an in-memory matcher).

const ranges: [cidr: string, reason: string][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/96', 'unspecified, loopback or IPv4-compatible'],
  ['64:ff9b::/96', 'NAT64 (embeds an IPv4 address)'],
  ['64:ff9b:1::/48', 'NAT64 (embeds an IPv4 address)'],
  ['100::/64', 'discard'],
  ['2001::/32', 'Teredo (embeds an IPv4 address)'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4 (embeds an IPv4 address)'],
  ['fc00::/7', 'unique-local (private; cloud metadata)'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

const lists = ranges.map(([cidr, reason]) => {
  const [network, prefix] = cidr.split('/') as [string, string];
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { list, family: isIP(network) === 6 ? ('ipv6' as const) : ('ipv4' as const), reason };
});

/** `::ffff:7f00:1` and `::ffff:127.0.0.1` are 127.0.0.1: the IPv4 address an IPv4-mapped IPv6 address reaches. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return address;
}

/** Why `address` (an IP literal) is internal, or undefined for a public address. Not an IP at all: refused too. */
export function internalAddressReason(address: string): string | undefined {
  const ip = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const kind = family === 6 ? 'ipv6' : 'ipv4';
  return lists.find((entry) => entry.family === kind && entry.list.check(ip, kind))?.reason;
}
