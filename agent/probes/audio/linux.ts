import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { describeDevice, physicalDeviceOf, usbKey } from '../sysfs-device.js';
import { listUsbInterfaces, unclaimedInterfaces } from '../usb/interfaces.js';
import { parseAsoundCards, parseAsoundPcms } from './proc-asound.js';

const CLASS_SOUND = '/sys/class/sound';
/** USB class 01 (audio), subclass 01 (audio control): the interface every USB audio function has. */
const USB_AUDIO = '01';
const USB_AUDIO_CONTROL = '01';

/**
 * Sound cards that can capture (a capture PCM `pcmC<card>D<dev>c`), each one finding, whether a
 * USB microphone or a codec on the mainboard; plus USB audio functions no driver has claimed
 * (capture capability unknown: counted, since an unclaimed microphone is still a microphone).
 */
export const audioProbe: Probe = {
  name: 'audio',
  kinds: ['audio-capture'],
  run: ({ host }) => {
    const entries = host.list(CLASS_SOUND);
    const cardNames = parseAsoundCards(host.readText('/proc/asound/cards') ?? '');
    const pcmNames = parseAsoundPcms(host.readText('/proc/asound/pcm') ?? '');
    const captureByCard = new Map<number, string[]>();
    for (const entry of entries) {
      const match = /^pcmC(\d+)D(\d+)c$/.exec(entry);
      if (match) captureByCard.set(Number(match[1]), [...(captureByCard.get(Number(match[1])) ?? []), entry]);
    }
    const claimed = new Set<string>();
    const cards: FindingOf<'audio-capture'>[] = [];
    for (const entry of entries) {
      const match = /^card(\d+)$/.exec(entry);
      if (!match) continue;
      const card = Number(match[1]);
      const device = physicalDeviceOf(host, `${CLASS_SOUND}/${entry}`);
      if (device.usbPath) claimed.add(device.usbPath);
      const pcms = captureByCard.get(card) ?? [];
      if (pcms.length === 0) continue;
      const cardId = host.readAttr(`${CLASS_SOUND}/${entry}/id`) ?? null;
      cards.push({
        id: device.usb ? `audio:usb:${usbKey(device.usb)}` : `audio:${device.path ?? `card${card}`}`,
        kind: 'audio-capture',
        card,
        cardId,
        name: cardNames.get(card) ?? cardId,
        bus: device.bus,
        driver: device.driver,
        external: device.bus === 'usb',
        capturePcms: pcms.map((pcm) => describePcm(pcm, pcmNames)),
        usb: device.usb,
      });
    }
    return [...cards, ...unclaimedUsbAudio(host, claimed)];
  },
};

function describePcm(pcm: string, names: Map<string, string>): string {
  const [, card, dev] = /^pcmC(\d+)D(\d+)c$/.exec(pcm)!;
  const name = names.get(`${card!.padStart(2, '0')}-${dev!.padStart(2, '0')}`);
  return name ? `${pcm} (${name})` : pcm;
}

function unclaimedUsbAudio(host: HostRoot, claimed: Set<string>): FindingOf<'audio-capture'>[] {
  return unclaimedInterfaces(listUsbInterfaces(host), USB_AUDIO, USB_AUDIO_CONTROL, claimed).map((itf) => {
    const device = describeDevice(host, itf.path);
    return {
      id: `audio:usb:${usbKey(device.usb!)}`,
      kind: 'audio-capture',
      card: null,
      cardId: null,
      name: device.usb!.product,
      bus: 'usb',
      driver: itf.driver,
      external: true,
      capturePcms: [],
      usb: device.usb,
    };
  });
}
