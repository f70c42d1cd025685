import type { FindingOf } from '../../findings/schema.js';
import { usbKey } from '../sysfs-device.js';
import { busOf, parsePnpId, usbIdentityFor } from '../windows/pnp-id.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { SiAudio, WindowsFacts } from '../windows/windows-facts.js';

/**
 * Sound devices that only play: the audio function of a graphics card (HDMI / DisplayPort) —
 * Intel Display Audio, and the HD Audio codecs of NVIDIA (10DE) and AMD/ATI (1002) GPUs.
 */
const OUTPUT_ONLY_NAME = /display audio|\bhdmi\b|displayport/i;
const GPU_CODEC = /^HDAUDIO$/;
const GPU_CODEC_VENDOR = /(?:^|&)VEN_(10DE|1002)(?=&|$)/i;
/** Bluetooth enumerators: the microphone of a paired headset is an external input too. */
const BLUETOOTH_ENUMERATOR = /^BTH/;

/**
 * Sound devices that can capture, from Win32_SoundDevice. WMI does not say whether a sound
 * device records (systeminformation's `in` is always null on Windows), so, as Linux does for a
 * USB audio function whose capture it cannot see, every sound device is counted as one that can
 * record, except the audio of graphics cards, which only play. One finding per device; on USB
 * the identity is that of the USB device the audio function belongs to.
 */
export const audioProbe = windowsProbe('audio', ['audio-capture'], (facts) => {
  const findings = new Map<string, FindingOf<'audio-capture'>>();
  for (const device of facts.audio.filter(canCapture)) {
    const finding = toFinding(device, facts);
    if (!findings.has(finding.id)) findings.set(finding.id, finding);
  }
  return [...findings.values()];
});

export function canCapture(device: SiAudio): boolean {
  if (device.in !== null) return device.in;
  const id = parsePnpId(device.id);
  const gpu = id !== null && GPU_CODEC.test(id.enumerator) && GPU_CODEC_VENDOR.test(id.deviceId);
  return !gpu && !OUTPUT_ONLY_NAME.test(device.name);
}

function toFinding(device: SiAudio, facts: WindowsFacts): FindingOf<'audio-capture'> {
  const id = parsePnpId(device.id);
  const usb = usbIdentityFor(facts, id, device.name);
  const bus = busOf(id);
  return {
    id: usb ? `audio:usb:${usbKey(usb)}` : `audio:${String(device.id) || device.name}`,
    kind: 'audio-capture',
    // Windows has no ALSA card numbers or capture PCMs.
    card: null,
    cardId: null,
    name: device.name || null,
    bus,
    driver: null,
    external: bus === 'usb' || (id !== null && BLUETOOTH_ENUMERATOR.test(id.enumerator)),
    capturePcms: [],
    usb,
  };
}
