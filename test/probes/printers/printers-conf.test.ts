import { describe, expect, test } from 'vitest';
import { isFaxUri, isNetworkUri, parsePrintersConf, usbUriSerial } from '../../../agent/probes/printers/printers-conf.js';

describe('printers.conf', () => {
  test('parses queues, default queue and attributes; skips classes', () => {
    const queues = parsePrintersConf(
      [
        '# Printer configuration file for CUPS v2.4.2',
        '<DefaultPrinter Office_Laser>',
        'Info Office laser',
        'DeviceURI usb://HP/LaserJet%201020?serial=CN123',
        'Shared No',
        '</Printer>',
        '<Class AllPrinters>',
        'Printer Office_Laser',
        '</Class>',
        '<Printer Net>',
        'DeviceURI ipp://192.0.2.9/ipp/print',
        'Shared Yes',
        '</Printer>',
      ].join('\n'),
    );
    expect(queues.map((q) => [q.name, q.isDefault, q.attributes.get('Shared')])).toEqual([
      ['Office_Laser', true, 'No'],
      ['Net', false, 'Yes'],
    ]);
    expect(queues[0]!.attributes.get('Info')).toBe('Office laser');
  });

  test.each([
    ['ipp://192.0.2.9/ipp/print', true],
    ['ipps://printer.example/ipp', true],
    ['socket://192.0.2.9:9100', true],
    ['lpd://192.0.2.9/queue', true],
    ['smb://server/printer', true],
    ['dnssd://Printer._ipp._tcp.local/', true],
    ['hp:/net/HP_LaserJet?ip=192.0.2.9', true],
    ['hp:/usb/HP_LaserJet?serial=X', false],
    ['usb://HP/LaserJet?serial=X', false],
    ['parallel:/dev/lp0', false],
    ['file:///dev/null', false],
  ])('isNetworkUri(%s) = %s', (uri, network) => {
    expect(isNetworkUri(uri)).toBe(network);
  });

  test('fax URIs and USB serials', () => {
    expect(isFaxUri('fax://x')).toBe(true);
    expect(isFaxUri('hpfax:/usb/x')).toBe(true);
    expect(isFaxUri('usb://x')).toBe(false);
    expect(usbUriSerial('usb://HP/LaserJet%201020?serial=CN%2F123&interface=1')).toBe('CN/123');
    expect(usbUriSerial('ipp://x?serial=1')).toBeNull();
  });
});
