import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { readUsbIdentity, usbKey } from '../sysfs-device.js';
import { listUsbDevices, listUsbInterfaces } from './interfaces.js';

/** USB-IF base class codes, by name. */
const CLASS_NAMES: Record<string, string> = {
  '01': 'audio', '02': 'communications', '03': 'hid', '05': 'physical', '06': 'image', '07': 'printer',
  '08': 'storage', '09': 'hub', '0a': 'cdc-data', '0b': 'smart-card', '0d': 'content-security',
  '0e': 'video', '0f': 'healthcare', '10': 'audio-video', '11': 'billboard', '12': 'usb-c-bridge',
  'dc': 'diagnostic', 'e0': 'wireless', 'ef': 'miscellaneous', 'fe': 'application', 'ff': 'vendor',
};
/** Drivers of cellular modems (data or AT-command ports). */
const MODEM_DRIVERS = new Set(['option', 'qmi_wwan', 'cdc_mbim', 'cdc_wdm', 'qcserial', 'sierra', 'sierra_net', 'huawei_cdc_ncm', 'usb_wwan']);
/** CDC subclass 0e: Mobile Broadband Interface Model. */
const CDC_MBIM = '0e';

/** The full USB inventory: every plugged device with its interfaces (root hubs left out). */
export const usbProbe: Probe = {
  name: 'usb',
  kinds: ['usb-device'],
  run: ({ host }) => {
    const interfaces = listUsbInterfaces(host);
    return listUsbDevices(host).map((devicePath): FindingOf<'usb-device'> => {
      const usb = readUsbIdentity(host, devicePath);
      const own = interfaces
        .filter((itf) => itf.devicePath === devicePath)
        .map(({ number, class: cls, subclass, protocol, driver }) => ({ number, class: cls, subclass, protocol, driver }));
      const speed = Number(host.readAttr(`${devicePath}/speed`));
      return {
        id: `usb:${usbKey(usb)}`,
        kind: 'usb-device',
        usb,
        deviceClass: host.readAttr(`${devicePath}/bDeviceClass`) ?? '00',
        speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
        interfaces: own,
        classes: [...new Set(own.map((itf) => CLASS_NAMES[itf.class] ?? `class-${itf.class}`))],
        modem: own.some(
          (itf) => (itf.driver !== null && MODEM_DRIVERS.has(itf.driver)) || (itf.class === '02' && itf.subclass === CDC_MBIM),
        ),
      };
    });
  },
};

