import type { CheckTable } from './check.js';
import { avCamera, avMicrophone, hwDiskChange, printerFax, printerShared, probeUnavailable, secAgentGap, secSoftware } from './devices.js';
import { fileIntegrity } from './files.js';
import { traceMedia, traceNetwork } from './traces.js';
import { mediaRetired, mediaUnregistered, mediaWrongClass, mediaWrongHost } from './media.js';
import { netBluetooth, netCable, netInternet, netUsbAdapter, netWireless } from './network.js';

/** The logic behind each rule id. The policy supplies the rest: severity, texts, citations, on/off. */
export const CHECKS: CheckTable = {
  'NET-CABLE': netCable,
  'NET-INTERNET': netInternet,
  'NET-WIRELESS': netWireless,
  'NET-USB-ADAPTER': netUsbAdapter,
  'NET-BLUETOOTH': netBluetooth,
  'MEDIA-UNREGISTERED': mediaUnregistered,
  'MEDIA-WRONG-CLASS': mediaWrongClass,
  'MEDIA-WRONG-HOST': mediaWrongHost,
  'MEDIA-RETIRED': mediaRetired,
  'AV-MICROPHONE': avMicrophone,
  'AV-CAMERA': avCamera,
  'PRINTER-SHARED': printerShared,
  'PRINTER-FAX': printerFax,
  'SEC-SOFTWARE': secSoftware,
  'SEC-AGENT-GAP': secAgentGap,
  'HW-DISK-CHANGE': hwDiskChange,
  'FILE-INTEGRITY': fileIntegrity,
  'TRACE-MEDIA': traceMedia,
  'TRACE-NETWORK': traceNetwork,
  'PROBE-UNAVAILABLE': probeUnavailable,
};
