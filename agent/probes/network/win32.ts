import type { Bus, FindingOf } from '../../findings/schema.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { SiNetworkInterface, WindowsFacts } from '../windows/windows-facts.js';
import { isRoutableAddress } from './proc-net.js';

/** Adapter names of cellular modems (Windows names them after the modem or "Mobile Broadband"). */
const WWAN_NAME = /mobile broadband|\bwwan\b|\blte\b|snapdragon|\bmodem\b/i;
/**
 * Adapter names of USB network adapters and phone tethering. systeminformation does not pass on
 * the adapter's PNPDeviceID, so the bus is told by the name Windows gives the adapter.
 */
const USB_NIC_NAME = /\busb\b|rndis|remote ndis|apple mobile device ethernet|iphone|android|tether/i;

/**
 * Network interfaces from systeminformation's networkInterfaces(): os.networkInterfaces()
 * (interfaces that are up, with their addresses) joined by MAC with Win32_NetworkAdapter
 * (every enabled-or-disabled adapter with a connection name, up or not).
 */
export const networkProbe = windowsProbe('network', ['network-interface'], (facts) => facts.networkInterfaces.map((nic) => toFinding(nic, facts)));

export function toFinding(nic: SiNetworkInterface, facts: Pick<WindowsFacts, 'defaultInterface'>): FindingOf<'network-interface'> {
  const mac = normalMac(nic.mac);
  const loopback = nic.internal === true;
  const up = nic.operstate === 'up';
  const wwan = WWAN_NAME.test(nic.ifaceName);
  const ipv4 = nic.ip4 ? [nic.ip4] : [];
  const ipv6 = nic.ip6 ? [nic.ip6] : [];
  const isDefault = nic.default || (!!facts.defaultInterface && facts.defaultInterface === nic.iface);
  return {
    id: `net:${nic.iface}${mac ? `@${mac}` : ''}`,
    kind: 'network-interface',
    name: nic.iface,
    mac,
    bus: busOf(nic, loopback),
    // Not visible: systeminformation does not pass on the adapter's service (driver) name.
    driver: null,
    loopback,
    // As on Linux, the loopback has no physical device: virtual.
    virtual: loopback || nic.virtual,
    wireless: !wwan && nic.type === 'wireless',
    wwan,
    operstate: nic.operstate || null,
    // systeminformation folds NetConnectionStatus into up/down: "up" (connected) means the link
    // is there; "down" is either "media disconnected" or "disabled", which it does not tell
    // apart: unknown, as Linux reports an interface that is down.
    carrier: up ? true : null,
    // NetEnabled is not passed on either; an adapter that is not connected is written as down.
    adminUp: up,
    ipv4,
    ipv6,
    // systeminformation marks as default the interface of the 0.0.0.0 route, or, when there is
    // no such route, the first interface with an address: only an interface with an address
    // outside loopback and link-local can carry a route to another network.
    defaultRoute: isDefault && [...ipv4, ...ipv6].some(isRoutableAddress),
    // The USB device behind an adapter is not visible (no PNPDeviceID): bus only.
    usb: null,
  };
}

function busOf(nic: SiNetworkInterface, loopback: boolean): Bus {
  if (loopback || nic.virtual) return 'virtual';
  return USB_NIC_NAME.test(nic.ifaceName) ? 'usb' : 'other';
}

/** Lowercase colon-separated MAC, or null for none or all zeros (loopback). */
export function normalMac(raw: string): string | null {
  const mac = raw.trim().toLowerCase().replace(/-/g, ':');
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) && !/^(00:){5}00$/.test(mac) ? mac : null;
}
