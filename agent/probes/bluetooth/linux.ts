import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { describeDevice, physicalDeviceOf, usbKey } from '../sysfs-device.js';
import { listUsbInterfaces, unclaimedInterfaces } from '../usb/interfaces.js';

const CLASS_BLUETOOTH = '/sys/class/bluetooth';
/** USB class e0 (wireless controller), subclass 01 (RF controller): Bluetooth. */
const USB_WIRELESS = 'e0';
const USB_RF_CONTROLLER = '01';

/** Bluetooth controllers (hciN), powered or not, and Bluetooth USB radios no driver has claimed. */
export const bluetoothProbe: Probe = {
  name: 'bluetooth',
  kinds: ['bluetooth-adapter'],
  run: ({ host }) => {
    const adapters = host
      .list(CLASS_BLUETOOTH)
      .filter((name) => /^hci\d+$/.test(name))
      .map((name) => readAdapter(host, name));
    const claimed = new Set(adapters.flatMap((a) => (a.usbPath ? [a.usbPath] : [])));
    const unclaimed = unclaimedInterfaces(listUsbInterfaces(host), USB_WIRELESS, USB_RF_CONTROLLER, claimed).map(
      (itf): FindingOf<'bluetooth-adapter'> => {
        const device = describeDevice(host, itf.path);
        return {
          id: `bluetooth:usb:${usbKey(device.usb!)}`,
          kind: 'bluetooth-adapter',
          name: null,
          bus: 'usb',
          driver: itf.driver,
          softBlocked: null,
          hardBlocked: null,
          usb: device.usb,
        };
      },
    );
    return [...adapters.map((a) => a.finding), ...unclaimed];
  },
};

function readAdapter(host: HostRoot, name: string) {
  const dir = `${CLASS_BLUETOOTH}/${name}`;
  const device = physicalDeviceOf(host, dir);
  const rfkill = host.list(dir).find((entry) => /^rfkill\d+$/.test(entry));
  const blocked = (attr: string) => {
    const value = rfkill === undefined ? undefined : host.readAttr(`${dir}/${rfkill}/${attr}`);
    return value === undefined ? null : value !== '0';
  };
  const finding: FindingOf<'bluetooth-adapter'> = {
    id: device.usb ? `bluetooth:usb:${usbKey(device.usb)}` : `bluetooth:${name}`,
    kind: 'bluetooth-adapter',
    name,
    bus: device.bus,
    driver: device.driver,
    softBlocked: blocked('soft'),
    hardBlocked: blocked('hard'),
    usb: device.usb,
  };
  return { finding, usbPath: device.usbPath };
}
