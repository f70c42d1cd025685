import { describe, expect, test } from 'vitest';
import { dateOf, interfaceOfFileName, parseDhclientLeases } from '../../../agent/traces/network/dhclient-leases.js';
import { parseEnvLease } from '../../../agent/traces/network/env-leases.js';
import { isLoopback, isVirtualInterface, mediumOfInterface } from '../../../agent/traces/network/interface-kind.js';
import { parseKeyFile, unescapeValue, valueOf } from '../../../agent/traces/network/key-file.js';
import { decodeSsid, profileFinding } from '../../../agent/traces/network/nm-profiles.js';
import { cut } from '../../../agent/traces/network/trace-source.js';
import { decodeWpaString, parseWpaNetworks } from '../../../agent/traces/network/wpa-supplicant.js';

describe('NetworkManager SSIDs (get_bytes() of nm-keyfile.c)', () => {
  test.each([
    ['77;121;78;101;116;', 'MyNet'],
    [' 229;138;158 ; 229;133;172;229;174;164; ', '办公室'],
    ['255;0;', '\\xff\u0000'],
    // Every number must be followed by `;`, 1–3 digits, ≤ 255: otherwise it is the string itself.
    ['1;2', '1;2'],
    ['12345', '12345'],
    ['256;', '256;'],
    ['4d7946', '4d7946'],
    ['Cafe\\;Bar', 'Cafe;Bar'],
  ])('%j → %j', (value, ssid) => {
    expect(decodeSsid(value)).toBe(ssid);
  });
});

describe('wpa_supplicant strings', () => {
  test.each([
    ['"quoted \\x41"', 'quoted \\x41'],
    ['e4bda0e5a5bd', '你好'],
    ['P"a\\x41\\101\\"\\\\\\e\\n"', 'aAA"\\\u001b\n'],
    ['P"\\xff"', '\\xff'],
    ['abc', null],
    ['"unterminated', null],
  ])('%j → %j', (value, decoded) => {
    expect(decodeWpaString(value)).toBe(decoded);
  });

  test('networks, secrets left out, comments and text outside blocks ignored', () => {
    const networks = parseWpaNetworks('# network={\nnetwork={\n  ssid="A"\n  psk="secret"\n  password="x"\n}\nssid="outside"\nnetwork = {\n}\n');
    expect(networks).toEqual([
      { ssid: 'A', line: 2, text: 'network={ ssid="A" psk=… password=… }' },
      { ssid: null, line: 8, text: 'network = { }' },
    ]);
  });
});

describe('dhclient lease files', () => {
  test('print_time() dates', () => {
    expect(dateOf(['4', '2026/11/26', '09:12:33'])).toBe(Date.UTC(2026, 10, 26, 9, 12, 33));
    expect(dateOf(['epoch', '1795536000'])).toBe(1795536000 * 1000);
    expect(dateOf(['never'])).toBeNull();
    expect(dateOf(['epoch', '0'])).toBeNull();
    expect(dateOf(['4', '2026-11-26', '09:12:33'])).toBeNull();
  });

  test('garbage, binary and unbalanced files give nothing and do not throw', () => {
    for (const text of ['', '}}}', 'lease', '\u0000\u0001\u0002\uFFFD', 'lease { interface "eth0"; fixed-address 1.2.3.4 }', '"'.repeat(1000), '{'.repeat(10000)]) {
      expect(parseDhclientLeases(text, '/f')).toEqual([]);
    }
  });

  test('a lease with nothing to time it keeps a null time', () => {
    const [lease] = parseDhclientLeases('lease {\n  interface "eth0";\n  fixed-address 10.0.0.2;\n  expire never;\n}\n', '/f');
    expect(lease).toMatchObject({ interface: 'eth0', address: '10.0.0.2', server: null, time: null });
    expect(lease!.source).toEqual({ file: '/f', line: 1, seqnum: null, time: null, text: 'lease { interface "eth0"; fixed-address 10.0.0.2; expire never; }' });
  });

  test('a hostile interface string stays text', () => {
    const [lease] = parseDhclientLeases('lease { interface "eth0\\n<b>\\033[2J"; fixed-address 10.0.0.2; renew 4 2026/11/26 09:12:33; }', '/f');
    expect(lease!.interface).toBe('eth0\n<b>\u001b[2J');
  });

  test('NetworkManager file names', () => {
    expect(interfaceOfFileName('dhclient-5b0c2a51-7f3e-4c1d-9a8e-2f6d1b3c4e5f-wlan0.lease')).toBe('wlan0');
    expect(interfaceOfFileName('internal6-8d2f6c10-3b7a-4e55-b1c9-0a1b2c3d4e5f-enp0s31f6.lease')).toBe('enp0s31f6');
    expect(interfaceOfFileName('dhclient-eth0.lease')).toBeNull();
  });
});

describe('KEY=VALUE leases', () => {
  test('networkd and NetworkManager forms; malformed and JSON give null', () => {
    expect(parseEnvLease('# This is private data. Do not parse.\nADDRESS=10.0.2.15\nSERVER_ADDRESS=10.0.2.2\nLIFETIME=1d\n')).toEqual({ address: '10.0.2.15', server: '10.0.2.2', lifetime: '1d' });
    expect(parseEnvLease('ADDRESS="192.168.1.5"\n')).toEqual({ address: '192.168.1.5', server: null, lifetime: null });
    expect(parseEnvLease('ADDRESS=<script>\n')).toBeNull();
    expect(parseEnvLease('{"Address":"10.0.2.15"}')).toBeNull();
    expect(parseEnvLease('\u0000\u0001')).toBeNull();
  });
});

describe('GLib key files', () => {
  test('escapes, repeated groups and keys, junk lines', () => {
    expect(unescapeValue('a\\sb\\nc\\td\\\\;e\\x')).toBe('a b\nc\td\\;e\\x');
    const file = parseKeyFile('junk before a group\n[connection]\nid=one\n[wifi]\nssid=x\n[connection]\nid=two\ntype=wifi\nnot a pair\n=no key\n');
    expect(valueOf(file, 'connection', 'id')).toEqual({ value: 'two', line: 7, raw: 'id=two' });
    expect(valueOf(file, 'connection', 'type')?.value).toBe('wifi');
    expect([...file.keys()]).toEqual(['connection', 'wifi']);
  });

  test('a keyfile without a type is no profile; an unknown type counts only when used', () => {
    expect(profileFinding('/p', parseKeyFile('[connection]\nid=x\n'))).toBeNull();
    expect(profileFinding('/p', parseKeyFile('[connection]\nid=x\ntype=macsec\n'))).toBeNull();
    expect(profileFinding('/p', parseKeyFile('[connection]\nid=x\ntype=macsec\ntimestamp=1795536000\n'))).toMatchObject({ medium: 'other', time: '2026-11-24T16:00:00.000Z' });
    expect(profileFinding('/p', parseKeyFile('[connection]\nid=x\ntype=ethernet\ntimestamp=0\n'))).toBeNull();
  });
});

describe('interface names', () => {
  test.each([
    ['eth0', 'ethernet', false],
    ['enp0s31f6', 'ethernet', false],
    ['wlan0', 'wifi', false],
    ['wlp2s0', 'wifi', false],
    ['wwan0', 'mobile', false],
    ['ppp0', 'mobile', false],
    ['usb0', 'usb-tether', false],
    ['tun0', 'vpn', false],
    ['tap0', 'vpn', false],
    ['wg0', 'vpn', false],
    ['bnep0', 'bluetooth', false],
    ['docker0', 'other', true],
    ['veth9f1c2d3', 'other', true],
    ['br-5f3e2a1b0c9d', 'other', true],
    ['virbr0', 'other', true],
    ['vnet3', 'other', true],
    ['lxcbr0', 'other', true],
    ['br0', 'other', true],
  ])('%s: %s, virtual %s', (name, medium, virtual) => {
    expect(mediumOfInterface(name)).toBe(medium);
    expect(isVirtualInterface(name)).toBe(virtual);
  });

  test('loopback', () => {
    expect(isLoopback('lo')).toBe(true);
    expect(isLoopback('lowpan0')).toBe(false);
  });
});

test('source text is cut to 500 code units without splitting a character', () => {
  expect(cut('a'.repeat(600), 500)).toHaveLength(500);
  const emoji = `${'a'.repeat(498)}😀😀`;
  const out = cut(emoji, 500);
  expect(out.length).toBeLessThanOrEqual(500);
  expect(out.endsWith('…')).toBe(true);
  expect(/[\ud800-\udbff]…$/.test(out)).toBe(false);
});
