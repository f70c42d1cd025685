import type { FindingOf } from '../../findings/schema.js';
import { normalMac } from '../network/win32.js';
import { usbKey } from '../sysfs-device.js';
import { usbDevicesOf, usbIdentityOf } from '../windows/pnp-id.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { WindowsFacts } from '../windows/windows-facts.js';

const BLUETOOTH = /bluetooth/i;

/**
 * Bluetooth radios, powered or not. systeminformation lists no radio on Windows: usb() keeps
 * only devices it can class (the radio, of PnP class Bluetooth, is not one of them) and
 * bluetoothDevices() lists the paired devices, leaving out every entity a driver service runs
 * (the radio among them). What it does list is the radio's network adapter, "Bluetooth Device
 * (Personal Area Network)", which Windows installs with every radio and whose MAC is the
 * radio's address; so that is the evidence, with a USB entry named Bluetooth if one comes
 * through, and, when neither is there, paired devices (they are listed only while the radio
 * they are paired with is present).
 */
export const bluetoothProbe = windowsProbe('bluetooth', ['bluetooth-adapter'], (facts) => {
  const adapters = [...panAdapters(facts), ...usbRadios(facts)];
  if (adapters.length > 0 || facts.bluetoothDevices.length === 0) return adapters;
  return [
    {
      id: 'bluetooth:paired-devices',
      kind: 'bluetooth-adapter',
      name: null,
      bus: 'other',
      driver: null,
      softBlocked: null,
      hardBlocked: null,
      usb: null,
    },
  ];
});

function panAdapters(facts: WindowsFacts): FindingOf<'bluetooth-adapter'>[] {
  return facts.networkInterfaces
    .filter((nic) => BLUETOOTH.test(nic.ifaceName))
    .map((nic) => {
      const address = normalMac(nic.mac);
      return {
        id: address ? `bluetooth:${address}` : `bluetooth:${nic.iface}`,
        kind: 'bluetooth-adapter',
        name: nic.ifaceName,
        bus: 'other',
        driver: null,
        // Whether the radio is switched off (airplane mode, Settings) is not visible.
        softBlocked: null,
        hardBlocked: null,
        usb: null,
      };
    });
}

function usbRadios(facts: WindowsFacts): FindingOf<'bluetooth-adapter'>[] {
  return usbDevicesOf(facts)
    .filter(({ entry }) => entry.type === 'Bluetooth' || BLUETOOTH.test(entry.name))
    .map(({ entry, id }) => {
      const usb = usbIdentityOf(id, entry.name);
      return {
        id: `bluetooth:usb:${usbKey(usb)}`,
        kind: 'bluetooth-adapter',
        name: entry.name,
        bus: 'usb',
        driver: null,
        softBlocked: null,
        hardBlocked: null,
        usb,
      };
    });
}
