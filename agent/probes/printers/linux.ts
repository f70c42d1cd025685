import type { HostRoot } from '../../host-root.js';
import type { FindingOf, UsbIdentity } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { describeDevice } from '../sysfs-device.js';
import { listUsbInterfaces } from '../usb/interfaces.js';
import {
  CUPS_PRINTER_FAX,
  CUPS_PRINTER_MFP,
  isFaxUri,
  isNetworkUri,
  parsePrintersConf,
  usbUriSerial,
  type CupsQueue,
} from './printers-conf.js';

const PRINTERS_CONF = '/etc/cups/printers.conf';
/** USB class 07: printer. */
const USB_PRINTER = '07';

/**
 * CUPS print queues from printers.conf (readable by root only: as another user the probe
 * reports itself unavailable rather than "no printers"). Fax and multifunction devices are told
 * by URI scheme, CUPS type bits and the queue's PPD; a USB queue is tied to its USB device by
 * serial.
 */
export const printersProbe: Probe = {
  name: 'printers',
  kinds: ['printer'],
  run: ({ host }) => {
    const conf = host.readText(PRINTERS_CONF);
    if (conf === undefined) return [];
    const usbPrinters = listUsbPrinters(host);
    return parsePrintersConf(conf).map((queue) => toFinding(host, queue, usbPrinters));
  },
};

function toFinding(host: HostRoot, queue: CupsQueue, usbPrinters: UsbIdentity[]): FindingOf<'printer'> {
  const attr = (key: string) => queue.attributes.get(key) ?? null;
  const uri = attr('DeviceURI');
  const type = Number(attr('Type') ?? '0');
  const ppd = readPpdFlags(host, queue.name);
  const makeModel = attr('MakeModel');
  const serial = usbUriSerial(uri);
  return {
    id: `printer:${queue.name}`,
    kind: 'printer',
    queue: queue.name,
    deviceUri: uri,
    network: isNetworkUri(uri),
    shared: /^(yes|on|true)$/i.test(attr('Shared') ?? ''),
    makeModel,
    info: attr('Info'),
    location: attr('Location'),
    fax: isFaxUri(uri) || (type & CUPS_PRINTER_FAX) !== 0 || ppd.fax || /\bfax\b/i.test(makeModel ?? ''),
    multifunction: (type & CUPS_PRINTER_MFP) !== 0 || /\b(mfp|mfc|multifunction|all-in-one)\b/i.test(makeModel ?? ''),
    usb: serial === null ? null : (usbPrinters.find((usb) => usb.serial === serial) ?? null),
  };
}

/** `*cupsFax: True` in the queue's PPD marks a fax queue. */
function readPpdFlags(host: HostRoot, queue: string): { fax: boolean } {
  if (queue.includes('/')) return { fax: false };
  const ppd = host.readText(`/etc/cups/ppd/${queue}.ppd`) ?? '';
  return { fax: /^\*cupsFax:\s*"?True/im.test(ppd) };
}

function listUsbPrinters(host: HostRoot): UsbIdentity[] {
  return listUsbInterfaces(host)
    .filter((itf) => itf.class === USB_PRINTER)
    .map((itf) => describeDevice(host, itf.path).usb!)
    .filter((usb, i, all) => all.findIndex((other) => other.port === usb.port) === i);
}
