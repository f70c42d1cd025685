import type { FindingOf } from '../../findings/schema.js';
import { usbKey } from '../sysfs-device.js';
import { isUsbDevice, parsePnpId, usbDevicesOf, usbIdentityOf } from '../windows/pnp-id.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { WindowsFacts } from '../windows/windows-facts.js';

/** Cellular modems, by the name Windows gives them. */
const MODEM_NAME = /\bmodem\b|mobile broadband|\bwwan\b|\blte\b/i;

/**
 * The USB inventory, as far as systeminformation shows it on Windows: the USB devices among
 * the entries it classes (storage, hubs, keyboards, mice; a composite device — camera, headset —
 * as "USB Composite Device"), and HID functions whose device is not listed. Interfaces, their
 * classes, the device class and the speed are not visible; `classes` is told from the entry's
 * type and name and from the sound devices that sit on the device.
 */
export const usbProbe = windowsProbe('usb', ['usb-device'], (facts) => {
  const devices = usbDevicesOf(facts).map(({ entry, id }) => ({ entry, usb: usbIdentityOf(id, entry.name) }));
  const listed = new Set(devices.map(({ usb }) => `${usb.vendorId}:${usb.productId}`));
  for (const entry of facts.usb) {
    const id = parsePnpId(entry.deviceId);
    if (id === null || isUsbDevice(id) || id.vendorId === null || id.productId === null) continue;
    if (id.enumerator !== 'HID' && id.enumerator !== 'USB') continue;
    if (listed.has(`${id.vendorId}:${id.productId}`)) continue;
    listed.add(`${id.vendorId}:${id.productId}`);
    devices.push({ entry, usb: usbIdentityOf({ ...id, vendorId: id.vendorId, productId: id.productId }, entry.name, null) });
  }
  return devices.map(({ entry, usb }): FindingOf<'usb-device'> => ({
    id: `usb:${usbKey(usb)}`,
    kind: 'usb-device',
    usb,
    // Not visible through systeminformation on Windows.
    deviceClass: '',
    speedMbps: null,
    interfaces: [],
    classes: classesOf(usb.vendorId, usb.productId, facts),
    modem: MODEM_NAME.test(entry.name),
  }));
});

const TYPE_CLASSES: Record<string, string> = {
  Storage: 'storage', Keyboard: 'hid', Mouse: 'hid', Microphone: 'audio', Camera: 'video', Bluetooth: 'wireless',
};

/** Classes told by the entries of the device and of its functions (the HID keyboard of a composite device), and by its sound devices. */
function classesOf(vendorId: string, productId: string, facts: WindowsFacts): string[] {
  const classes = new Set<string>();
  for (const entry of facts.usb) {
    const id = parsePnpId(entry.deviceId);
    if (id?.vendorId !== vendorId || id.productId !== productId) continue;
    const fromType = TYPE_CLASSES[entry.type];
    if (fromType) classes.add(fromType);
    if (/\bhub\b/i.test(entry.name)) classes.add('hub');
    if (id.enumerator === 'HID') classes.add('hid');
  }
  for (const sound of facts.audio) {
    const id = parsePnpId(sound.id);
    if (id?.enumerator !== 'USB' || id.vendorId !== vendorId || id.productId !== productId) continue;
    classes.add('audio');
    // The microphone of a webcam is named after it.
    if (/camera|webcam/i.test(sound.name)) classes.add('video');
  }
  return [...classes];
}
