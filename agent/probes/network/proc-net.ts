/**
 * Parsers for the kernel's routing and address tables in /proc/net. Reading these files gives
 * every address and route without spawning `ip` and without a netlink socket.
 */

export interface Ipv4Route {
  iface: string;
  destination: number;
  mask: number;
  up: boolean;
}

/** /proc/net/route: hex, host byte order (little-endian on x86 and arm). */
export function parseIpv4Routes(text: string): Ipv4Route[] {
  const routes: Ipv4Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    routes.push({
      iface: f[0]!,
      destination: littleEndianHexToAddress(f[1]!),
      mask: littleEndianHexToAddress(f[7]!),
      up: (parseInt(f[3]!, 16) & 0x1) !== 0,
    });
  }
  return routes;
}

function littleEndianHexToAddress(hex: string): number {
  const n = parseInt(hex, 16) >>> 0;
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}

/**
 * The machine's own IPv4 addresses: the `/32 host LOCAL` leaves of /proc/net/fib_trie.
 * The trie prints an address line (`|-- 10.0.2.15`) followed by its leaf lines.
 */
export function parseLocalIpv4Addresses(fibTrie: string): string[] {
  const addresses = new Set<string>();
  let current: string | null = null;
  for (const line of fibTrie.split('\n')) {
    const leaf = /\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (leaf) {
      current = leaf[1]!;
      continue;
    }
    if (current !== null && /\/32 host LOCAL/.test(line)) addresses.add(current);
  }
  return [...addresses].sort();
}

/**
 * Attribute each local IPv4 address to the interface whose connected route covers it (longest
 * prefix); 127.0.0.0/8 belongs to lo. An address with no covering route (a /32 without a
 * subnet) cannot be attributed from /proc and is left out.
 */
export function ipv4AddressesByInterface(localAddresses: string[], routes: Ipv4Route[]): Map<string, string[]> {
  const byInterface = new Map<string, string[]>();
  for (const address of localAddresses) {
    const n = ipv4ToNumber(address);
    let iface: string | undefined = n >>> 24 === 127 ? 'lo' : undefined;
    let bestMask = -1;
    for (const route of routes) {
      if (iface === 'lo' || route.mask === 0 || (n & route.mask) >>> 0 !== route.destination) continue;
      if (route.mask > bestMask) {
        bestMask = route.mask;
        iface = route.iface;
      }
    }
    if (iface !== undefined) byInterface.set(iface, [...(byInterface.get(iface) ?? []), address]);
  }
  return byInterface;
}

export function ipv4DefaultRouteInterfaces(routes: Ipv4Route[]): Set<string> {
  return new Set(routes.filter((r) => r.up && r.destination === 0 && r.mask === 0).map((r) => r.iface));
}

/** /proc/net/if_inet6: address, ifindex, prefix length, scope, flags, name. */
export function parseIpv6Addresses(text: string): Map<string, string[]> {
  const byInterface = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0]!.length !== 32) continue;
    const iface = f[5]!;
    byInterface.set(iface, [...(byInterface.get(iface) ?? []), formatIpv6(f[0]!)]);
  }
  return byInterface;
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** /proc/net/ipv6_route: interfaces that carry a usable default route (::/0). */
export function ipv6DefaultRouteInterfaces(text: string): Set<string> {
  const interfaces = new Set<string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const flags = parseInt(f[8]!, 16);
    if (/^0{32}$/.test(f[0]!) && f[1] === '00' && (flags & RTF_UP) && !(flags & RTF_REJECT) && f[9] !== 'lo') {
      interfaces.add(f[9]!);
    }
  }
  return interfaces;
}

/** 32 hex digits to the RFC 5952 text form (lowercase, longest zero run compressed). */
export function formatIpv6(hex: string): string {
  const groups = hex.toLowerCase().match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** Addresses that mean a network: not loopback, not link-local. */
export function isRoutableAddress(address: string): boolean {
  if (address.includes(':')) return !(address === '::1' || /^fe[89ab]/i.test(address));
  return !(address.startsWith('127.') || address.startsWith('169.254.'));
}
