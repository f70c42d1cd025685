import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  formatIpv6,
  ipv4AddressesByInterface,
  ipv4DefaultRouteInterfaces,
  ipv6DefaultRouteInterfaces,
  isRoutableAddress,
  parseIpv4Routes,
  parseIpv6Addresses,
  parseLocalIpv4Addresses,
} from '../../../agent/probes/network/proc-net.js';
import { FIXTURES } from '../../helpers.js';

const captured = (file: string) => fs.readFileSync(path.join(FIXTURES, 'sandbox-host', 'proc', 'net', file), 'utf8');

describe('/proc/net parsers on a captured host', () => {
  test('local IPv4 addresses come from the LOCAL leaves of fib_trie, attributed by route', () => {
    const local = parseLocalIpv4Addresses(captured('fib_trie'));
    expect(local).toEqual(['127.0.0.1', '192.0.2.2']);
    const byInterface = ipv4AddressesByInterface(local, parseIpv4Routes(captured('route')));
    expect(Object.fromEntries(byInterface)).toEqual({ lo: ['127.0.0.1'], eth0: ['192.0.2.2'] });
  });

  test('default routes, IPv4 and IPv6 (the unreachable default on lo is not one)', () => {
    expect([...ipv4DefaultRouteInterfaces(parseIpv4Routes(captured('route')))]).toEqual(['eth0']);
    expect([...ipv6DefaultRouteInterfaces(captured('ipv6_route'))]).toEqual(['eth0']);
  });

  test('IPv6 addresses per interface in RFC 5952 form', () => {
    expect(Object.fromEntries(parseIpv6Addresses(captured('if_inet6')))).toEqual({
      lo: ['::1'],
      eth0: ['fd00::2', 'fe80::fc:ff:fe00:1'],
    });
  });
});

describe('address helpers', () => {
  test.each([
    ['00000000000000000000000000000000', '::'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['fe800000000000000000000000000001', 'fe80::1'],
  ])('formatIpv6(%s) = %s', (hex, text) => {
    expect(formatIpv6(hex)).toBe(text);
  });

  test('routable means not loopback and not link-local', () => {
    expect(['10.0.0.5', '192.0.2.2', 'fd00::2', '2001:db8::1'].every(isRoutableAddress)).toBe(true);
    expect(['127.0.0.1', '169.254.3.4', '::1', 'fe80::1'].some(isRoutableAddress)).toBe(false);
  });

  test('the longest covering route wins', () => {
    const routes = parseIpv4Routes(
      'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n' +
        'eth0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\n' + // 10.0.0.0/8
        'eth1\t0001000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n', // 10.0.1.0/24
    );
    expect(Object.fromEntries(ipv4AddressesByInterface(['10.0.1.7', '10.9.9.9', '203.0.113.1'], routes))).toEqual({
      eth1: ['10.0.1.7'],
      eth0: ['10.9.9.9'],
    });
  });
});
