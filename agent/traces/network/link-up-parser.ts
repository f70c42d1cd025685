import type { FindingOf, TraceSource } from '../../findings/schema.js';
import type { LogRecord, LogTraceParser } from '../../logs/log-record.js';
import { isLoopback, isVirtualInterface, mediumOfInterface, moreSpecific, type Medium } from './interface-kind.js';
import { idPart, MAX_SOURCES, traceSource } from './trace-source.js';

/**
 * Links that came up, read from the system's logs (journal, kern.log, syslog, messages):
 *
 * - kernel NIC drivers: `eth0: Link is Up - 1Gbps/Full` (r8169), `e1000: eth0 NIC Link is Up 1000
 *   Mbps Full Duplex` (e1000/e1000e/igb), `eth0: Link is up at 1000 Mbps` (tg3);
 *   `IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready`; mac80211 `wlan0: associated`,
 *   `wlan0: authenticated`;
 * - USB network functions registering: `rndis_host 1-1:1.0 usb0: register 'rndis_host' at …`,
 *   likewise cdc_ether, cdc_ncm, cdc_eem, cdc_subset (phones and USB modems sharing their network),
 *   cdc_mbim, qmi_wwan, huawei_cdc_ncm (mobile broadband), and `ipheth 1-1:4.2: Apple iPhone USB
 *   Ethernet device attached` (no interface name yet);
 * - NetworkManager: `device (eth0): Activation: successful, device activated.`, `dhcp4 (eth0):
 *   state changed new lease, address=10.0.2.15` (older: `dhcp4 (eth0):   address 10.0.2.15`),
 *   `Activation: (wifi) Stage 2 of 5 (Device Configure) successful.  Connected to wireless network 'X'`;
 * - systemd-networkd: `eth0: Gained carrier`, `eth0: DHCPv4 address 10.0.2.15/24, gateway 10.0.2.2
 *   acquired from 10.0.2.2` (older: `… via 10.0.2.2`);
 * - dhclient: `bound to 10.0.2.15 -- renewal in 1711 seconds.` (the interface is the one of the
 *   preceding `DHCPREQUEST … on eth0 to …` of the same file);
 * - wpa_supplicant: `wlan0: CTRL-EVENT-CONNECTED - Connection to aa:bb:cc:dd:ee:ff completed`
 *   (the SSID from the preceding `Trying to associate with … (SSID='X' freq=…)`).
 *
 * The loopback never counts. Container and VM plumbing is marked virtual (see interface-kind.ts:
 * tunnels are VPNs, not virtual).
 *
 * Grouping keeps the inspector's list readable: one finding per (interface, boot). Flaps within a
 * boot collapse; the time is the first time the link came up; the sources are the first five
 * records. A record without a boot id (a syslog line) takes the boot of the journal whose records
 * span its time, else the boot begun by the latest kernel `Linux version …` line before it, so the
 * same event read from the journal and from syslog is one finding with one source. Ids are
 * `net-trace:link-up:<interface>:<boot id>` or, with no boot id, `…:<first time to the minute>`.
 */
/**
 * What this parser wants to see (the lines it counts and the context lines it needs: a boot
 * starting, dhclient's requests, the SSID being joined): a cheap test a log reader may apply
 * before it builds a record. The parser still works on records filtered by it: boot ranges are
 * then known from these records alone, which still joins a syslog copy to its journal original.
 */
export function isLinkUpMessage(_identifier: string | null, message: string): boolean {
  return CHEAP.test(message);
}

const CHEAP =
  /[Ll]ink is [Uu]p|link becomes ready|: associated$|: authenticated$|: register '|^ipheth |Activation: |dhcp4 \(|Gained carrier|DHCPv4 address|^DHCP(?:REQUEST|DISCOVER|ACK)|^bound to |Trying to (?:associate|authenticate)|CTRL-EVENT-CONNECTED|^Linux version |renamed from |Interface name change detected/;

export function createLinkUpParser(): LogTraceParser<FindingOf<'network-trace'>> {
  const events: LinkEvent[] = [];
  const boots = new Map<string, { from: number; to: number }>();
  const bootStarts: number[] = [];
  /** Context a later line needs: the interface of dhclient's last request, per file; SSIDs per interface. */
  const dhclientInterface = new Map<string, string>();
  const dhclientServer = new Map<string, string>();
  /** Interfaces renamed (usb1 → enx525400ba00e1): a link keeps one finding under the name it got. */
  const renames: { record: LogRecord; from: string; to: string; time: number | null }[] = [];
  /** SSIDs per (boot or file, interface): a name seen in one boot must not name the link of another. */
  const ssidOf = new Map<string, string>();
  const context = (record: LogRecord, iface: string) => `${record.bootId ?? record.file}\u0000${iface}`;

  const add = (record: LogRecord, iface: string | null, key: string, medium: Medium, name: string | null = null, address: string | null = null) => {
    if (iface !== null && isLoopback(iface)) return;
    events.push({ record, iface, key, medium, name: name ?? (iface === null ? null : ssidOf.get(context(record, iface)) ?? null), address, time: timeOf(record.time) });
  };

  return {
    push(record) {
      const time = timeOf(record.time);
      if (record.bootId !== null && time !== null) {
        const range = boots.get(record.bootId);
        if (range === undefined) boots.set(record.bootId, { from: time, to: time });
        else {
          range.from = Math.min(range.from, time);
          range.to = Math.max(range.to, time);
        }
      }
      const message = record.message;
      if (!isLinkUpMessage(record.identifier, message)) return;
      if (record.bootId === null && /^Linux version \d/.test(message)) {
        // A new boot in a text log: what the file said before belongs to the previous one.
        if (time !== null) bootStarts.push(time);
        for (const key of [...ssidOf.keys()]) if (key.startsWith(`${record.file}\u0000`)) ssidOf.delete(key);
        dhclientInterface.delete(record.file);
        dhclientServer.delete(record.file);
      }

      let m: RegExpExecArray | null;
      if ((m = /(?:^|[\s:])([A-Za-z][\w.@-]{0,14}):? (?:NIC )?link is up\b/i.exec(message)) && !/^(ipv6|addrconf)$/i.test(m[1]!)) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!));
      } else if ((m = /ADDRCONF\(NETDEV_CHANGE\): ([\w.@-]+): link becomes ready/.exec(message))) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!));
      } else if ((m = /^([\w.@-]+): (associated|authenticated)$/.exec(message))) {
        add(record, m[1]!, m[1]!, 'wifi');
      } else if ((m = /^(\S+) (\S+) ([\w.@-]+): register '([\w-]+)'/.exec(message))) {
        const medium = USB_DRIVERS[m[4]!] ?? USB_DRIVERS[m[1]!];
        if (medium !== undefined) add(record, m[3]!, m[3]!, medium);
      } else if ((m = /^\S+ \S+ ([\w.@-]+): renamed from ([\w.@-]+)$/.exec(message)) || (m = /^([\w.@-]+): Interface name change detected, renamed to ([\w.@-]+?)\.?$/.exec(message))) {
        const [from, to] = message.includes('renamed from') ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
        renames.push({ record, from, to, time });
      } else if ((m = /^ipheth (\S+): Apple iPhone USB Ethernet device attached/.exec(message))) {
        add(record, null, `ipheth@${m[1]!}`, 'usb-tether', 'Apple iPhone');
      } else if ((m = /device \(([^)]+)\): Activation: successful\b/.exec(message))) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!));
      } else if ((m = /device \(([^)]+)\): Activation: \(wifi\) Stage 2 of 5 \(Device Configure\) successful\.\s+Connected to wireless network ['"]([\s\S]*)['"]\.?$/.exec(message))) {
        ssidOf.set(context(record, m[1]!), m[2]!);
        add(record, m[1]!, m[1]!, 'wifi', m[2]!);
      } else if ((m = /dhcp4 \(([^)]+)\):.*?\baddress[= ]+(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(message))) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!), null, m[2]!);
      } else if ((m = /^([\w.@-]+): Gained carrier$/.exec(message))) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!));
      } else if ((m = /^([\w.@-]+): DHCPv4 address (\d{1,3}(?:\.\d{1,3}){3})(?:\/\d+)?.*?(?:acquired from (\d{1,3}(?:\.\d{1,3}){3}))?$/.exec(message))) {
        add(record, m[1]!, m[1]!, mediumOfInterface(m[1]!), m[3] ?? null, m[2]!);
      } else if ((m = /^DHCP(?:REQUEST|DISCOVER)\b.*? on ([\w.@-]+) to /.exec(message))) {
        dhclientInterface.set(record.file, m[1]!);
      } else if ((m = /^DHCPACK (?:of \S+ )?from (\d{1,3}(?:\.\d{1,3}){3})/.exec(message))) {
        dhclientServer.set(record.file, m[1]!);
      } else if ((m = /^bound to (\d{1,3}(?:\.\d{1,3}){3}) -- renewal in/.exec(message))) {
        const iface = dhclientInterface.get(record.file) ?? null;
        add(record, iface, iface ?? 'dhclient', mediumOfInterface(iface), dhclientServer.get(record.file) ?? null, m[1]!);
      } else if ((m = /^([\w.@-]+): (?:SME: )?Trying to (?:associate|authenticate) with .*?SSID='(.*)' freq=/.exec(message))) {
        ssidOf.set(context(record, m[1]!), m[2]!);
      } else if ((m = /^([\w.@-]+): CTRL-EVENT-CONNECTED - Connection to [0-9a-fA-F:]{17} completed/.exec(message))) {
        add(record, m[1]!, m[1]!, 'wifi');
      }
    },

    finish() {
      const sortedStarts = [...bootStarts].sort((a, b) => a - b);
      const bootOf = (event: LinkEvent): { boot: string | null; segment: string } => {
        if (event.record.bootId !== null) return { boot: event.record.bootId, segment: event.record.bootId };
        if (event.time === null) return { boot: null, segment: 'unknown' };
        for (const [bootId, range] of boots) {
          // Journal times have microseconds, syslog's whole seconds: allow for the rounding.
          if (event.time >= range.from - 2000 && event.time <= range.to + 2000) return { boot: bootId, segment: bootId };
        }
        const start = sortedStarts.filter((s) => s <= event.time!).pop();
        return { boot: null, segment: start === undefined ? 'before-first-boot-line' : `boot@${start}` };
      };

      // The name an interface had at an event's time becomes the name of the first rename after it
      // in the same boot (a name like usb1 is given again to the next device: renames before the
      // event do not apply).
      const renamesBySegment = new Map<string, { from: string; to: string; time: number }[]>();
      for (const rename of renames) {
        if (rename.time === null) continue;
        const { segment } = bootOf({ record: rename.record, time: rename.time } as LinkEvent);
        renamesBySegment.set(segment, [...(renamesBySegment.get(segment) ?? []), { from: rename.from, to: rename.to, time: rename.time }]);
      }
      const finalName = (name: string, time: number | null, segment: string): string => {
        let current = name;
        let at = time;
        for (let hop = 0; hop < 8 && at !== null; hop++) {
          const next = (renamesBySegment.get(segment) ?? []).filter((r) => r.from === current && r.time >= at! - 1000).sort((a, b) => a.time - b.time)[0];
          if (!next) break;
          current = next.to;
          at = next.time;
        }
        return current;
      };

      const groups = new Map<string, { boot: string | null; events: LinkEvent[] }>();
      for (const original of events) {
        const { boot, segment } = bootOf(original);
        const renamed = original.iface === null ? null : finalName(original.iface, original.time, segment);
        const event = renamed === null || renamed === original.iface ? original : { ...original, iface: renamed, key: renamed };
        const key = `${event.key}\u0000${segment}`;
        const group = groups.get(key) ?? { boot, events: [] };
        group.events.push(event);
        groups.set(key, group);
      }

      const findings: FindingOf<'network-trace'>[] = [];
      for (const { boot, events: group } of groups.values()) {
        // By second; within a second the journal's copy (exact time, boot id) before syslog's.
        const second = (e: LinkEvent) => (e.time === null ? Infinity : Math.floor(e.time / 1000));
        const ordered = [...group].sort(
          (a, b) => second(a) - second(b) || Number(a.record.bootId === null) - Number(b.record.bootId === null) || (a.time ?? 0) - (b.time ?? 0),
        );
        const seen = new Set<string>();
        const unique = ordered.filter((e) => {
          // The same line read from the journal and from syslog: same second, same message.
          const key = `${e.time === null ? 'null' : Math.floor(e.time / 1000)}\u0000${e.record.message.trim()}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const first = unique[0]!;
        const firstTime = unique.reduce<number | null>((t, e) => (e.time !== null && (t === null || e.time < t) ? e.time : t), null);
        const iface = first.iface;
        // Ids and names are those of the interface after its renames; the medium the most telling any line gave.
        const medium = unique.reduce<Medium>((m, e) => moreSpecific(m, e.medium), mediumOfInterface(iface));
        findings.push({
          id: `net-trace:link-up:${idPart(first.key)}:${boot ?? (firstTime === null ? 'unknown' : new Date(firstTime).toISOString().slice(0, 16))}`,
          kind: 'network-trace',
          trace: 'link-up',
          medium,
          interface: iface,
          virtual: iface !== null && isVirtualInterface(iface),
          name: unique.find((e) => e.name !== null)?.name ?? null,
          address: unique.find((e) => e.address !== null)?.address ?? null,
          time: firstTime === null ? null : new Date(firstTime).toISOString(),
          sources: unique.slice(0, MAX_SOURCES).map((e): TraceSource => {
            const r = e.record;
            return traceSource(r.file, r.line, r.seqnum, e.time === null ? null : new Date(e.time).toISOString(), r.message);
          }),
        });
      }
      return findings.sort((a, b) => compare(a.time ?? '~', b.time ?? '~') || compare(a.id, b.id));
    },
  };
}

interface LinkEvent {
  record: LogRecord;
  /** The interface, or null when the line names none (ipheth before naming, dhclient without context). */
  iface: string | null;
  /** What the finding groups by: the interface, or a stand-in when there is none. */
  key: string;
  medium: Medium;
  name: string | null;
  address: string | null;
  time: number | null;
}

/** USB network drivers whose `register` line means a phone or modem shared its network. */
const USB_DRIVERS: Record<string, Medium> = {
  rndis_host: 'usb-tether',
  cdc_ether: 'usb-tether',
  cdc_ncm: 'usb-tether',
  cdc_eem: 'usb-tether',
  cdc_subset: 'usb-tether',
  ipheth: 'usb-tether',
  cdc_mbim: 'mobile',
  qmi_wwan: 'mobile',
  huawei_cdc_ncm: 'mobile',
  sierra_net: 'mobile',
};

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function timeOf(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
