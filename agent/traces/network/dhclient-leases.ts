import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import { leaseFindings, type Lease } from './lease-finding.js';
import { isoOf, isoOfSeconds, traceSource } from './trace-source.js';
import type { Unreadable } from './unreadable.js';

/**
 * ISC dhclient's lease database (dhclient.leases(5), dhclient.conf(5) "THE LEASE DECLARATION"):
 * a log of `lease { … }` (and, for DHCPv6, `lease6 { … }`) blocks in the dhcpd.conf grammar,
 * newest last. dhclient writes times with print_time() of ISC's common/print.c: by default
 * `renew 4 2026/11/26 09:12:33;` (weekday, then date and time in UTC), with
 * `db-time-format local` as `renew epoch 1764148353; # Thu Nov 26 17:12:33 2026`, or `never;`.
 *
 * When the lease was obtained is not written. It is `expire − dhcp-lease-time` (dhclient sets
 * expiry = start + lease time when it binds), else `renew − dhcp-renewal-time`, else the renew
 * time itself (a moment within the lease: the start is at most that). DHCPv6 blocks have
 * `starts <epoch>` in their IA, which is exact.
 */

const DIRS: readonly { dir: string; match: RegExp }[] = [
  { dir: '/var/lib/dhcp', match: /^dhclient.*\.leases?$/ },
  { dir: '/var/lib/dhclient', match: /\.leases?$/ },
  { dir: '/var/lib/NetworkManager', match: /^dhclient6?-.+\.lease$/ },
];

export function readDhclientLeases(host: HostRoot, unreadable: Unreadable): FindingOf<'network-trace'>[] {
  const findings: FindingOf<'network-trace'>[] = [];
  for (const { dir, match } of DIRS) {
    for (const name of unreadable.list(host, dir)) {
      const file = `${dir}/${name}`;
      if (!match.test(name) || host.isDirectory(file)) continue;
      const text = unreadable.text(host, file);
      if (text === undefined) continue;
      findings.push(...leaseFindings(file, parseDhclientLeases(text, file, interfaceOfFileName(name))));
    }
  }
  return findings;
}

/** NetworkManager names its dhclient files dhclient[6]-<connection uuid>-<interface>.lease. */
export function interfaceOfFileName(name: string): string | null {
  return /^(?:dhclient|internal)6?-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(.+)\.lease$/i.exec(name)?.[1] ?? null;
}

/** Every lease block of a dhclient lease file; text that does not parse is skipped, never thrown. */
export function parseDhclientLeases(text: string, file: string, fallbackInterface: string | null = null): Lease[] {
  const leases: Lease[] = [];
  let statements: Statement[];
  try {
    statements = parseStatements(tokenize(text));
  } catch {
    return leases;
  }
  const lines = text.split('\n');
  for (const statement of statements) {
    const head = statement.words[0]?.value;
    if ((head !== 'lease' && head !== 'lease6') || statement.block === null) continue;
    const lease = head === 'lease' ? lease4(statement.block) : lease6(statement.block);
    const line = statement.words[0]!.line;
    const blockText = lines.slice(line - 1, statement.endLine).map((l) => l.trim()).join(' ');
    leases.push({
      interface: lease.interface ?? fallbackInterface,
      address: lease.address,
      server: lease.server,
      time: lease.time,
      source: traceSource(file, line, null, lease.time, blockText),
    });
  }
  return leases;
}

interface LeaseFields {
  interface: string | null;
  address: string | null;
  server: string | null;
  time: string | null;
}

function lease4(block: Statement[]): LeaseFields {
  const words = (name: string) => block.find((s) => s.words[0]?.value === name)?.words.slice(1).map((w) => w.value);
  const option = (name: string) => block.find((s) => s.words[0]?.value === 'option' && s.words[1]?.value === name)?.words[2]?.value ?? null;
  const seconds = (name: string) => {
    const value = Number(option(name));
    return Number.isFinite(value) && value > 0 ? value : null;
  };
  const renew = dateOf(words('renew'));
  const expire = dateOf(words('expire'));
  const leaseTime = seconds('dhcp-lease-time');
  const renewalTime = seconds('dhcp-renewal-time');
  let start: number | null = null;
  if (expire !== null && leaseTime !== null) start = expire - leaseTime * 1000;
  else if (renew !== null && renewalTime !== null) start = renew - renewalTime * 1000;
  else if (renew !== null) start = renew;
  return {
    interface: words('interface')?.[0] ?? null,
    address: words('fixed-address')?.[0] ?? null,
    server: option('dhcp-server-identifier'),
    time: start === null ? null : isoOf(new Date(start)),
  };
}

function lease6(block: Statement[]): LeaseFields {
  let address: string | null = null;
  let starts: number | null = null;
  const visit = (statements: Statement[]) => {
    for (const s of statements) {
      const head = s.words[0]?.value;
      if (head === 'iaaddr' && address === null) address = s.words[1]?.value ?? null;
      if (head === 'starts' && starts === null) starts = Number(s.words[1]?.value);
      if (s.block) visit(s.block);
    }
  };
  visit(block);
  const serverId = block.find((s) => s.words[0]?.value === 'option' && s.words[1]?.value === 'dhcp6.server-id');
  return {
    interface: block.find((s) => s.words[0]?.value === 'interface')?.words[1]?.value ?? null,
    address,
    server: serverId?.words[2]?.value ?? null,
    time: starts === null ? null : isoOfSeconds(starts),
  };
}

/** A print_time() date: `W YYYY/MM/DD HH:MM:SS` (UTC), `epoch N`, or `never`; ms since the epoch. */
export function dateOf(words: string[] | undefined): number | null {
  if (!words || words.length === 0) return null;
  if (words[0] === 'epoch') {
    const seconds = Number(words[1]);
    return isoOfSeconds(seconds) === null ? null : seconds * 1000;
  }
  const date = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(words[1] ?? '');
  const time = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(words[2] ?? '');
  if (!date || !time) return null;
  const ms = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +time[1]!, +time[2]!, +time[3]!);
  return Number.isNaN(ms) ? null : ms;
}

// ---- the dhcpd.conf grammar, as much of it as lease files use ----

interface Token {
  value: string;
  kind: 'word' | 'string' | 'punct';
  line: number;
}

interface Statement {
  words: Token[];
  block: Statement[] | null;
  endLine: number;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ value: c, kind: 'punct', line });
      i++;
    } else if (c === '"') {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
          if (octal) {
            value += String.fromCharCode(parseInt(octal[0], 8));
            i += 4;
            continue;
          }
          const next = text[i + 1]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        value += text[i];
        i++;
      }
      // An unterminated string is where the file was cut: the tokens end there.
      if (i >= text.length) break;
      i++;
      tokens.push({ value, kind: 'string', line: start });
    } else {
      let value = '';
      while (i < text.length && !/[\s{};"#]/.test(text[i]!)) value += text[i++];
      tokens.push({ value, kind: 'word', line });
    }
  }
  return tokens;
}

/**
 * Statements and blocks. Damage inside a top-level block (unbalanced braces, a missing `;`, a cut)
 * ends the parse there, keeping the blocks before it; damage at the top level throws (the caller
 * skips the file).
 */
export function parseStatements(tokens: Token[]): Statement[] {
  let at = 0;
  const parse = (depth: number): Statement[] => {
    const statements: Statement[] = [];
    let words: Token[] = [];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      if (token.kind === 'punct' && token.value === ';') {
        if (words.length > 0) statements.push({ words, block: null, endLine: token.line });
        words = [];
      } else if (token.kind === 'punct' && token.value === '{') {
        if (depth > 16) throw new Error('nested too deep');
        let block: Statement[];
        try {
          block = parse(depth + 1);
        } catch (error) {
          // A file cut short (a crash while dhclient wrote it) keeps the blocks before the damage.
          if (depth === 0) return statements;
          throw error;
        }
        const closing = tokens[at - 1]!;
        statements.push({ words, block, endLine: closing.line });
        words = [];
      } else if (token.kind === 'punct' && token.value === '}') {
        if (depth === 0) throw new Error(`unbalanced } on line ${token.line}`);
        if (words.length > 0) throw new Error(`missing ; before line ${token.line}`);
        return statements;
      } else {
        words.push(token);
      }
    }
    if (depth > 0) throw new Error('unterminated block');
    if (words.length > 0) throw new Error('missing ; at the end');
    return statements;
  };
  return parse(0);
}
