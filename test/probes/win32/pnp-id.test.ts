import { describe, expect, test } from 'vitest';
import { busOf, parsePnpId, usbIdentityOf, usbSerialOf } from '../../../agent/probes/windows/pnp-id.js';

describe('PnP device instance ids', () => {
  test.each([
    ['USB\\VID_0951&PID_1666\\S123', { enumerator: 'USB', vendorId: '0951', productId: '1666', usbInterface: null, instanceId: 'S123' }, 'S123', 'usb'],
    ['USB\\VID_046D&PID_0A44&MI_00\\6&2A1B3C4D&0&0000', { vendorId: '046d', productId: '0a44', usbInterface: '00' }, null, 'usb'],
    ['usb\\vid_046d&pid_082d\\8B5A9E3F', { enumerator: 'USB', vendorId: '046d', productId: '082d' }, '8B5A9E3F', 'usb'],
    ['USB\\VID_046D&PID_0A44\\5&1E6F2B7A&0&3', { instanceId: '5&1E6F2B7A&0&3' }, null, 'usb'],
    ['HID\\VID_046D&PID_C077\\7&3A4B5C6D&0&0000', { enumerator: 'HID', vendorId: '046d', productId: 'c077' }, null, 'usb'],
    ['HID\\{00001124-0000-1000-8000-00805F9B34FB}_VID&0002046D_PID&B017\\8&1&0', { enumerator: 'HID', vendorId: null }, null, 'other'],
    ['HDAUDIO\\FUNC_01&VEN_10EC&DEV_0255&SUBSYS_10280A6B&REV_1000\\4&2C5A1B3D&0&0001', { enumerator: 'HDAUDIO', vendorId: null }, null, 'pci'],
    ['ROOT\\MEDIA\\0000', { enumerator: 'ROOT' }, null, 'virtual'],
    ['BTHENUM\\{0000111E-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&1&0', { enumerator: 'BTHENUM' }, null, 'other'],
  ])('%s', (text, fields, serial, bus) => {
    const id = parsePnpId(text)!;
    expect(id).toMatchObject(fields);
    expect(usbSerialOf(id)).toBe(serial);
    expect(busOf(id)).toBe(bus);
  });

  test.each(['', 'USB', 'USB\\VID_0951&PID_1666', '\\\\x', 7])('%j is not an instance id', (text) => {
    expect(parsePnpId(text)).toBeNull();
  });

  test('an identity keeps the device-reported name, not the names Windows gives every device of a class', () => {
    const id = parsePnpId('USB\\VID_046D&PID_082D\\8B5A9E3F') as Parameters<typeof usbIdentityOf>[0];
    expect(usbIdentityOf(id, 'USB Composite Device')).toEqual({ vendorId: '046d', productId: '082d', serial: '8B5A9E3F', manufacturer: null, product: null, port: '8B5A9E3F' });
    expect(usbIdentityOf(id, ' HD Pro Webcam C920 ').product).toBe('HD Pro Webcam C920');
  });
});
