import type { Finding, TraceSource, UsbIdentity } from './schema.js';

/** One line that names the device of a finding, for tables and reports. */
export function labelOf(finding: Finding): string {
  switch (finding.kind) {
    case 'network-interface':
      return join([`${finding.name}`, finding.mac, finding.driver && `(${finding.driver})`, usbPart(finding.usb)]);
    case 'bluetooth-adapter':
      return join([finding.name ?? 'Bluetooth', usbPart(finding.usb) ?? finding.bus]);
    case 'audio-capture':
      return join([finding.name ?? 'audio', finding.card === null ? null : `card ${finding.card}`, usbPart(finding.usb) ?? finding.bus]);
    case 'video-capture':
      return join([finding.name ?? 'camera', finding.nodes.map((n) => n.node).join(',') || null, usbPart(finding.usb) ?? finding.bus]);
    case 'removable-storage':
      return join([
        finding.device,
        finding.usb ? usbPart(finding.usb) : join([finding.vendor, finding.model]),
        finding.usb ? null : finding.serial && `S/N ${finding.serial}`,
        formatBytes(finding.capacityBytes),
      ]);
    case 'printer':
      return join([finding.queue, finding.deviceUri && `<${finding.deviceUri}>`]);
    case 'security-software':
      return finding.software;
    case 'usb-device':
      return usbPart(finding.usb)!;
    case 'fixed-disk':
      return join([finding.device, finding.model, finding.serial && `S/N ${finding.serial}`, formatBytes(finding.capacityBytes)]);
    case 'agent-gap':
      return `baomi-agent ${finding.from.slice(0, 16).replace('T', ' ')} → ${finding.to.slice(0, 16).replace('T', ' ')} UTC`;
    case 'probe-unavailable':
      return `probe ${finding.probe}`;
    case 'usb-trace':
      return join([usbPart(finding.usb), `@ ${shortTime(finding.time)}`]);
    case 'network-trace':
      return join([finding.interface, finding.name && `"${finding.name}"`, finding.address, finding.time && `@ ${shortTime(finding.time)}`]) || finding.trace;
    case 'file-change':
      return finding.previousPath ? `${finding.previousPath} → ${finding.path}` : finding.path;
    case 'watched-folder':
      return finding.folder;
    case 'log-source':
      return finding.file;
  }
}

function shortTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

function usbPart(usb: UsbIdentity | null): string | null {
  if (usb === null) return null;
  const name = join([usb.manufacturer, usb.product]);
  return join([`USB ${usb.vendorId}:${usb.productId}`, name, usb.serial ? `S/N ${usb.serial}` : 'no S/N']);
}

function join(parts: (string | null | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ');
}

export function formatBytes(bytes: number): string | null {
  if (bytes <= 0) return null;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** Where a trace was read, in one line: "/var/log/kern.log.1:8" or "/var/log/journal/…/system.journal #550". */
export function sourcePlace(source: TraceSource): string {
  return source.line !== null ? `${source.file}:${source.line}` : `${source.file} #${source.seqnum ?? '?'}`;
}
