import type { FindingOf } from '../../findings/schema.js';
import { usbKey } from '../sysfs-device.js';
import { busOf, parsePnpId, usbIdentityFor } from '../windows/pnp-id.js';
import { windowsProbe } from '../windows/windows-probe.js';

/** Names of cameras: "HD Pro Webcam C920", "Integrated Camera", "USB Video Device", imaging devices. */
const CAMERA_NAME = /camera|webcam|\bvideo\b|\bimaging\b/i;
/** Of the names above, those a microphone inside a camera carries (the webcam's audio function). */
const CAMERA_MICROPHONE_NAME = /camera|webcam/i;

/**
 * Cameras. systeminformation has no camera query on Windows, and its usb() drops every device
 * it cannot class (a camera is not one of them: it comes through only as "USB Composite
 * Device"). So the evidence is what can be seen: a USB entry whose type or name says camera,
 * and the microphone of a webcam, a sound device named after it, which sits on the same USB
 * device. A camera without a microphone and without such a name is not visible (README).
 */
export const videoProbe = windowsProbe('video', ['video-capture'], (facts) => {
  const sources = [
    ...facts.usb.filter((entry) => entry.type === 'Camera' || CAMERA_NAME.test(entry.name)).map((entry) => ({ id: entry.deviceId, name: entry.name })),
    ...facts.audio.filter((device) => CAMERA_MICROPHONE_NAME.test(device.name)).map((device) => ({ id: device.id, name: device.name })),
  ];
  const cameras = new Map<string, FindingOf<'video-capture'>>();
  for (const source of sources) {
    const id = parsePnpId(source.id);
    const usb = usbIdentityFor(facts, id, source.name);
    const bus = busOf(id);
    const key = usb ? `video:usb:${usbKey(usb)}` : `video:${String(source.id) || source.name}`;
    if (cameras.has(key)) continue;
    cameras.set(key, {
      id: key,
      kind: 'video-capture',
      name: source.name || null,
      bus,
      driver: null,
      external: bus === 'usb',
      // No /dev/video nodes on Windows.
      nodes: [],
      usb,
    });
  }
  return [...cameras.values()];
});
