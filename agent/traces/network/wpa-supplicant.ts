import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import { decodeBytes } from '../../text/decode-bytes.js';
import { idPart, isoOf, MAX_SOURCES, traceSource } from './trace-source.js';
import type { TraceSource } from '../../findings/schema.js';
import type { Unreadable } from './unreadable.js';

/**
 * wpa_supplicant configuration (wpa_supplicant.conf(5) and the annotated wpa_supplicant.conf of
 * hostap): `network={ … }` blocks, one `name=value` per line, `#` comments. An SSID is written
 * as a quoted UTF-8 string (`ssid="My Net"`), as hex bytes (`ssid=4d79204e6574`) or as a
 * printf-escaped string (`ssid=P"My\x20Net"`, wpa_config_parse_string()). systemd's
 * wpa_supplicant@<iface>.service reads /etc/wpa_supplicant/wpa_supplicant-<iface>.conf.
 *
 * The file records no time: the finding's time is null and each source notes the file's
 * modification time (when a network was last added or changed, not when it was used).
 */

const DIR = '/etc/wpa_supplicant';

export function readWpaSupplicant(host: HostRoot, unreadable: Unreadable): FindingOf<'network-trace'>[] {
  const files = ['/etc/wpa_supplicant.conf', ...unreadable.list(host, DIR).filter((n) => n.endsWith('.conf')).map((n) => `${DIR}/${n}`)];
  const findings: FindingOf<'network-trace'>[] = [];
  for (const file of files) {
    if (host.isDirectory(file)) continue;
    const text = unreadable.text(host, file);
    if (text === undefined) continue;
    const modified = unreadable.read(undefined, () => host.modifiedAt(file));
    const iface = /wpa_supplicant-(.+)\.conf$/.exec(file)?.[1] ?? null;
    findings.push(...wpaFindings(file, parseWpaNetworks(text), iface, modified === undefined ? null : isoOf(modified)));
  }
  return findings;
}

export interface WpaNetwork {
  ssid: string | null;
  /** 1-based line of `network={`. */
  line: number;
  /** The block's lines, secrets (psk, password, wep_key*) left out. */
  text: string;
}

const SECRET = /^(psk|password|wep_key\d|sae_password|private_key_passwd|pin|pcsc)$/;

export function parseWpaNetworks(text: string): WpaNetwork[] {
  const networks: WpaNetwork[] = [];
  const lines = text.split('\n');
  let current: { line: number; ssid: string | null; kept: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (current === null) {
      if (/^network\s*=\s*\{$/.test(line)) current = { line: i + 1, ssid: null, kept: [line] };
      continue;
    }
    if (line === '}') {
      current.kept.push(line);
      networks.push({ ssid: current.ssid, line: current.line, text: current.kept.join(' ') });
      current = null;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    current.kept.push(SECRET.test(key) ? `${key}=…` : line);
    if (key === 'ssid') current.ssid = decodeWpaString(value);
  }
  // A block never closed (a file cut short) is not a network wpa_supplicant would use: skipped.
  return networks;
}

/** A wpa_supplicant string value: "quoted", P"printf-escaped" or hex; null when it is none of them. */
export function decodeWpaString(value: string): string | null {
  const quoted = /^"(.*)"$/.exec(value);
  if (quoted) return quoted[1]!;
  const printf = /^P"(.*)"$/.exec(value);
  if (printf) return decodeBytes(Uint8Array.from(unprintf(printf[1]!)));
  if (/^([0-9a-fA-F]{2})+$/.test(value)) return decodeBytes(Uint8Array.from(value.match(/../g)!.map((h) => parseInt(h, 16))));
  return null;
}

/** printf_decode() of hostap's utils/common.c: \\ \" \n \r \t \e \xhh and octal \ooo. */
function unprintf(text: string): number[] {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      bytes.push(...encoder.encode(c));
      continue;
    }
    const next = text[++i]!;
    const simple: Record<string, number> = { '\\': 0x5c, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, e: 0x1b };
    if (next in simple) {
      bytes.push(simple[next]!);
    } else if (next === 'x' && /^[0-9a-fA-F]{1,2}/.test(text.slice(i + 1))) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1))![0];
      bytes.push(parseInt(hex, 16));
      i += hex.length;
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i))![0];
      bytes.push(parseInt(octal, 8) & 0xff);
      i += octal.length - 1;
    } else {
      bytes.push(...encoder.encode(next));
    }
  }
  return bytes;
}

function wpaFindings(file: string, networks: WpaNetwork[], iface: string | null, modified: string | null): FindingOf<'network-trace'>[] {
  const bySsid = new Map<string, WpaNetwork[]>();
  for (const network of networks) {
    const key = network.ssid ?? '';
    bySsid.set(key, [...(bySsid.get(key) ?? []), network]);
  }
  const note = modified ? `(文件修改时间 / file modified ${modified}) ` : '';
  return [...bySsid].map(([key, group]): FindingOf<'network-trace'> => ({
    id: `net-trace:wpa:${file}#${idPart(key)}`,
    kind: 'network-trace',
    trace: 'wpa-network',
    medium: 'wifi',
    interface: iface,
    virtual: false,
    name: group[0]!.ssid,
    address: null,
    time: null,
    sources: group.slice(0, MAX_SOURCES).map((n): TraceSource => traceSource(file, n.line, null, null, `${note}${n.text}`)),
  }));
}
