import type { FindingOf } from '../../findings/schema.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { SiPrinter } from '../windows/windows-facts.js';
import { isFaxUri, isNetworkUri } from './printers-conf.js';

/**
 * Ports that reach a printer over a network: Standard TCP/IP ports (IP_10.1.2.3, or the bare
 * address), WSD ports, http(s)/ipp URLs and \\server\queue shares.
 */
export function isNetworkPort(port: string | null): boolean {
  if (port === null || port.trim() === '') return false;
  const text = port.trim();
  return (
    isNetworkUri(text) ||
    /^(IP_|WSD-|TCPMON:|\\\\)/i.test(text) ||
    /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/.test(text) ||
    /^[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*$/i.test(text)
  );
}

const FAX = /\bfax\b/i;
const MULTIFUNCTION = /\b(mfp|mfc|multifunction|all-in-one)\b/i;

/**
 * Print queues from Win32_Printer. systeminformation does not query the port a queue prints to
 * (its `uri` is null on Windows), so a network printer is seen only as a connection to a
 * queue on another computer (\\server\queue, Local false); a queue on a Standard TCP/IP or WSD
 * port looks local (README). Shared is the queue's own Shared flag; fax by name or driver
 * (Windows' "Fax" queue, Microsoft Shared Fax Driver).
 */
export const printersProbe = windowsProbe('printers', ['printer'], (facts) => facts.printer.map(toFinding));

export function toFinding(printer: SiPrinter): FindingOf<'printer'> {
  const uri = printer.uri?.trim() || null;
  const names = `${printer.name} ${printer.model}`;
  return {
    id: `printer:${printer.name}`,
    kind: 'printer',
    queue: printer.name,
    deviceUri: uri,
    network: !printer.local || printer.name.startsWith('\\\\') || isNetworkPort(uri),
    shared: printer.shared,
    makeModel: printer.model.trim() || null,
    info: null,
    location: null,
    fax: FAX.test(names) || isFaxUri(uri),
    multifunction: MULTIFUNCTION.test(names),
    // Not visible: which USB device a queue prints to (its port, USB001, is not queried).
    usb: null,
  };
}
