import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { physicalDeviceOf, readUevent } from '../sysfs-device.js';
import {
  ipv4AddressesByInterface,
  ipv4DefaultRouteInterfaces,
  ipv6DefaultRouteInterfaces,
  parseIpv4Routes,
  parseIpv6Addresses,
  parseLocalIpv4Addresses,
} from './proc-net.js';

const CLASS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const ARPHRD_LOOPBACK = '772';
/** Drivers of cellular modems that present a network interface. */
const WWAN_DRIVERS = new Set(['qmi_wwan', 'cdc_mbim', 'huawei_cdc_ncm', 'sierra_net', 'mhi_net', 'ipheth']);

export const networkProbe: Probe = {
  name: 'network',
  kinds: ['network-interface'],
  run: ({ host }) => {
    const addressing = readAddressing(host);
    return host.list(CLASS_NET).map((name) => readInterface(host, name, addressing));
  },
};

interface Addressing {
  ipv4: Map<string, string[]>;
  ipv6: Map<string, string[]>;
  defaultRoutes: Set<string>;
}

function readAddressing(host: HostRoot): Addressing {
  const routes = parseIpv4Routes(host.readText('/proc/net/route') ?? '');
  const local = parseLocalIpv4Addresses(host.readText('/proc/net/fib_trie') ?? '');
  return {
    ipv4: ipv4AddressesByInterface(local, routes),
    ipv6: parseIpv6Addresses(host.readText('/proc/net/if_inet6') ?? ''),
    defaultRoutes: new Set([
      ...ipv4DefaultRouteInterfaces(routes),
      ...ipv6DefaultRouteInterfaces(host.readText('/proc/net/ipv6_route') ?? ''),
    ]),
  };
}

function readInterface(host: HostRoot, name: string, addressing: Addressing): FindingOf<'network-interface'> {
  const dir = `${CLASS_NET}/${name}`;
  const device = physicalDeviceOf(host, dir);
  const uevent = readUevent(host, dir);
  const flags = parseInt(host.readAttr(`${dir}/flags`) ?? '0', 16);
  const rawMac = host.readAttr(`${dir}/address`) ?? '';
  const mac = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(rawMac) && !/^(00:){5}00$/.test(rawMac) ? rawMac.toLowerCase() : null;
  const carrier = host.readAttr(`${dir}/carrier`);
  const devtype = uevent.get('DEVTYPE');
  return {
    id: `net:${name}${mac ? `@${mac}` : ''}`,
    kind: 'network-interface',
    name,
    mac,
    bus: device.bus,
    driver: device.driver,
    loopback: (flags & IFF_LOOPBACK) !== 0 || host.readAttr(`${dir}/type`) === ARPHRD_LOOPBACK,
    virtual: device.path === null,
    wireless: devtype === 'wlan' || host.exists(`${dir}/wireless`) || host.exists(`${dir}/phy80211`),
    wwan: devtype === 'wwan' || (device.driver !== null && WWAN_DRIVERS.has(device.driver)),
    operstate: host.readAttr(`${dir}/operstate`) ?? null,
    carrier: carrier === '1' ? true : carrier === '0' ? false : null,
    adminUp: (flags & IFF_UP) !== 0,
    ipv4: addressing.ipv4.get(name) ?? [],
    ipv6: addressing.ipv6.get(name) ?? [],
    defaultRoute: addressing.defaultRoutes.has(name),
    usb: device.usb,
  };
}
