import type { FindingOf } from '../../findings/schema.js';

export type Medium = FindingOf<'network-trace'>['medium'];

/**
 * What an interface name says of the network behind it, for traces that name only the interface
 * (leases, log lines). The live probe looks at sysfs; the past has only the name left.
 *
 * Virtual means plumbing that never leaves the host: container and VM bridges and their veth/vnet
 * ends, dummies. The policy counts them only with `detection.virtualInterfaces`.
 *
 * Tunnels are NOT virtual here: tun*, tap*, wg*, ipsec*, vti* and ppp* carry traffic to a remote
 * network, which is what T3 第十四条(一) forbids (a VPN or a dial-up/mobile link), so hiding them as
 * "virtual" would hide a breach. tun/tap/wg/ipsec/vti are `vpn`, ppp/wwan are `mobile`. A QEMU tap
 * (tap0 of a local VM) is thereby reported too: a false positive the officer can explain, where
 * the opposite choice would be a silent miss.
 */
const VIRTUAL = /^(docker\d*|veth|br-|virbr|vnet|lxc|lxdbr|cni|flannel|cali|vxlan\.calico|podman|vmnet|vboxnet|dummy|kube-|weave|nm-bridge|br\d|bridge\d*$)/;

export function isLoopback(name: string): boolean {
  return name === 'lo' || /^lo\d*$/.test(name) || name === 'lo0';
}

export function isVirtualInterface(name: string): boolean {
  return VIRTUAL.test(name);
}

/** The medium an interface name suggests (predictable names: en*, wl*, ww*; classic: eth*, wlan*, usb* …). */
export function mediumOfInterface(name: string | null): Medium {
  if (name === null) return 'other';
  if (/^(wl|wlan|ath|ra\d|wifi)/.test(name)) return 'wifi';
  if (/^(ww|wwan|ppp|rmnet|cdc-wdm|mbim|qmi)/.test(name)) return 'mobile';
  if (/^(tun|tap|wg|ipsec|vti|ip_vti|gpd|utun|nordlynx|tailscale|zt)/.test(name)) return 'vpn';
  if (/^(bnep|bt-pan|pan\d)/.test(name)) return 'bluetooth';
  // usbN is the name rndis_host, cdc_ether, cdc_ncm and ipheth give a phone's network; a USB
  // Ethernet dongle renamed to enx<mac> or en…u<port> cannot be told from a phone by name.
  if (/^(usb\d|rndis\d|iph\d)/.test(name)) return 'usb-tether';
  if (/^(eth|en|em\d|eno|ens|enp|p\d+p\d+)/.test(name)) return 'ethernet';
  return 'other';
}

/** The more telling of two media (anything beats `other`; a radio or tunnel beats plain ethernet). */
export function moreSpecific(a: Medium, b: Medium): Medium {
  const rank = (m: Medium) => (m === 'other' ? 0 : m === 'ethernet' ? 1 : 2);
  return rank(b) > rank(a) ? b : a;
}
