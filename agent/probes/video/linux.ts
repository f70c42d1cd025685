import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { describeDevice, physicalDeviceOf, readUdevProperties, usbKey, type PhysicalDevice } from '../sysfs-device.js';
import { listUsbInterfaces, unclaimedInterfaces } from '../usb/interfaces.js';

const CLASS_V4L = '/sys/class/video4linux';
/** USB class 0e: video. */
const USB_VIDEO = '0e';

interface VideoNodeInfo {
  node: string;
  name: string | null;
  capabilities: string[] | null;
  device: PhysicalDevice;
}

/**
 * V4L2 capture devices, one finding per physical device (a UVC camera makes a capture node and
 * a metadata node: one camera). Capture capability comes from udev's v4l_id
 * (`ID_V4L_CAPABILITIES=:capture:`); a node udev has not described counts as capture. Video
 * USB functions that no driver has claimed are cameras too.
 */
export const videoProbe: Probe = {
  name: 'video',
  kinds: ['video-capture'],
  run: ({ host }) => {
    const groups = new Map<string, VideoNodeInfo[]>();
    for (const node of host.list(CLASS_V4L)) {
      const info = readNode(host, node);
      const key = info.device.usbPath ?? info.device.path ?? `virtual:${node}`;
      groups.set(key, [...(groups.get(key) ?? []), info]);
    }
    const claimed = new Set(groups.keys());
    const cameras: FindingOf<'video-capture'>[] = [];
    for (const [key, nodes] of groups) {
      if (!nodes.some(capturesVideo)) continue;
      const { device } = nodes[0]!;
      cameras.push({
        id: device.usb ? `video:usb:${usbKey(device.usb)}` : `video:${key}`,
        kind: 'video-capture',
        name: device.usb?.product ?? nodes[0]!.name,
        bus: device.bus,
        driver: device.driver,
        external: device.bus === 'usb',
        nodes: nodes.map(({ node, name, capabilities }) => ({ node, name, capabilities })),
        usb: device.usb,
      });
    }
    const unclaimed = unclaimedInterfaces(listUsbInterfaces(host), USB_VIDEO, null, claimed).map(
      (itf): FindingOf<'video-capture'> => {
        const device = describeDevice(host, itf.path);
        return {
          id: `video:usb:${usbKey(device.usb!)}`,
          kind: 'video-capture',
          name: device.usb!.product,
          bus: 'usb',
          driver: itf.driver,
          external: true,
          nodes: [],
          usb: device.usb,
        };
      },
    );
    return [...cameras, ...unclaimed];
  },
};

function readNode(host: HostRoot, node: string): VideoNodeInfo {
  const dir = `${CLASS_V4L}/${node}`;
  const dev = host.readAttr(`${dir}/dev`);
  const udev = dev === undefined ? null : readUdevProperties(host, `c${dev}`);
  const capabilities = udev?.get('ID_V4L_CAPABILITIES');
  return {
    node,
    name: host.readAttr(`${dir}/name`) ?? null,
    capabilities: capabilities === undefined ? null : capabilities.split(':').filter((c) => c !== ''),
    device: physicalDeviceOf(host, dir),
  };
}

/** A node captures when udev says so, or when udev has not described it. */
export function capturesVideo(node: { capabilities: string[] | null }): boolean {
  return node.capabilities === null || node.capabilities.includes('capture');
}
