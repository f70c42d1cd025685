/** A queue as CUPS writes it to /etc/cups/printers.conf. */
export interface CupsQueue {
  name: string;
  isDefault: boolean;
  attributes: Map<string, string>;
}

/**
 * Parse printers.conf (`<Printer name>` / `<DefaultPrinter name>` … `</Printer>` blocks of
 * `Key value` lines). Classes (`<Class>`) are groups of printers, not devices, and are skipped.
 */
export function parsePrintersConf(text: string): CupsQueue[] {
  const queues: CupsQueue[] = [];
  let current: CupsQueue | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const open = /^<(Default)?Printer\s+(.+)>$/.exec(line);
    if (open) {
      current = { name: open[2]!, isDefault: open[1] !== undefined, attributes: new Map() };
      continue;
    }
    if (/^<\/Printer>$/.test(line)) {
      if (current) queues.push(current);
      current = null;
      continue;
    }
    if (current === null || line === '' || line.startsWith('#')) continue;
    const space = line.indexOf(' ');
    if (space > 0) current.attributes.set(line.slice(0, space), line.slice(space + 1).trim());
    else current.attributes.set(line, '');
  }
  return queues;
}

/** URI schemes that reach a printer over a network. */
const NETWORK_SCHEMES = new Set(['ipp', 'ipps', 'http', 'https', 'socket', 'lpd', 'smb', 'dnssd', 'mdns', 'beh', 'hp', 'hpfax', 'bjnp', 'snmp', 'ipp14']);
const FAX_SCHEMES = new Set(['fax', 'hpfax', 'efax']);

export function uriScheme(uri: string | null): string | null {
  const match = uri === null ? null : /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * A URI reaches the network when its scheme is a network one; `hp:` (HPLIP) does when it names
 * a network address (`hp:/net/…`), not a USB port (`hp:/usb/…`); a `beh:` backend wraps another URI.
 */
export function isNetworkUri(uri: string | null): boolean {
  const scheme = uriScheme(uri);
  if (scheme === null || !NETWORK_SCHEMES.has(scheme)) return false;
  if (scheme === 'hp' || scheme === 'hpfax') return /^hp(fax)?:\/net\//i.test(uri!);
  if (scheme === 'beh') return isNetworkUri(uri!.replace(/^beh:\/[^/]*\/[^/]*\/[^/]*\//i, ''));
  return true;
}

export function isFaxUri(uri: string | null): boolean {
  const scheme = uriScheme(uri);
  return scheme !== null && FAX_SCHEMES.has(scheme);
}

/** CUPS printer-type bits (cups/cups.h): CUPS_PRINTER_FAX and CUPS_PRINTER_MFP. */
export const CUPS_PRINTER_FAX = 0x40000;
export const CUPS_PRINTER_MFP = 0x4000000;

/** The `serial=` parameter of a usb:// device URI, percent-decoded. */
export function usbUriSerial(uri: string | null): string | null {
  if (uriScheme(uri) !== 'usb') return null;
  const match = /[?&]serial=([^&]*)/.exec(uri!);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}
