import type { HostRoot } from '../host-root.js';
import { isKnownZone } from './zoned-time.js';

/**
 * The host's time zone as an IANA name: /etc/timezone (Debian, Kylin, UOS), else the target of
 * the /etc/localtime link (…/zoneinfo/Asia/Shanghai), else undefined. Read through HostRoot; a
 * name Node's time zone data does not know counts as none.
 */
export function hostTimezone(host: HostRoot): string | undefined {
  let fromFile: string | undefined;
  try {
    fromFile = host.readText('/etc/timezone')?.trim();
  } catch {
    fromFile = undefined; // denied: try the link
  }
  if (fromFile !== undefined && fromFile !== '' && isKnownZone(fromFile)) return fromFile;
  const link = host.readLink('/etc/localtime');
  const match = link === undefined ? null : /zoneinfo\/(.+)$/.exec(link);
  if (match !== null && isKnownZone(match[1]!)) return match[1]!;
  return undefined;
}
