import { describe, expect, test } from 'vitest';
import type { FindingOf } from '../../agent/findings/schema.js';
import { runProbes } from '../../agent/probes/run-probes.js';
import { audioProbe } from '../../agent/probes/audio/linux.js';
import { videoProbe } from '../../agent/probes/video/linux.js';
import { evaluate } from '../../policies/evaluate.js';
import { builtinPolicy, fixture, policyWith } from '../helpers.js';

// Captured from a guest with an HDA codec (hda-micro), a USB microphone (UAC2 gadget), a vivid
// camera and a UVC webcam; the guest also holds the gadgets' own sides: a playback-only UAC2
// card and a V4L2 *output* node, which are not capture devices.
const av = fixture('vm-av');
const host = { hostname: 'baomi-vm', machineId: null };

describe('audio and video capture on a captured kernel tree', () => {
  test('the on-board codec and the USB microphone are two findings, told apart; the playback-only card is none', () => {
    const audio = runProbes({ host: av, requiredSoftware: [] }, [audioProbe]).findings as FindingOf<'audio-capture'>[];
    expect(audio.map((a) => [a.id, a.bus, a.external, a.capturePcms])).toEqual([
      ['audio:/sys/devices/pci0000:00/0000:00:05.0', 'pci', false, ['pcmC0D0c (Generic Analog)']],
      ['audio:usb:046d:0a44:MIC1', 'usb', true, ['pcmC2D0c (USB Audio)']],
    ]);
    expect(audio[1]!.usb).toMatchObject({ vendorId: '046d', productId: '0a44', serial: 'MIC1', product: 'USB Microphone' });
  });

  test('a UVC camera is one finding with all its nodes; an output-only node is not a camera', () => {
    const video = runProbes({ host: av, requiredSoftware: [] }, [videoProbe]).findings as FindingOf<'video-capture'>[];
    expect(video.map((v) => [v.id, v.external, v.nodes.map((n) => `${n.node}:${n.capabilities?.join('+')}`)])).toEqual([
      ['video:/sys/devices/platform/vivid.0', false, ['video0:capture+video_overlay']],
      ['video:usb:046d:0825:CAM1', true, ['video2:capture', 'video3:']],
    ]);
  });

  test('AV-MICROPHONE and AV-CAMERA fire on them, and stay quiet on a tree without them', () => {
    const rules = (tree: ReturnType<typeof fixture>, policy = builtinPolicy()) =>
      evaluate(policy.policy, runProbes({ host: tree, requiredSoftware: [] }, [audioProbe, videoProbe]).findings, host).map((v) => `${v.rule} ${v.findingId}`);
    expect(rules(av)).toEqual([
      'AV-CAMERA video:/sys/devices/platform/vivid.0',
      'AV-CAMERA video:usb:046d:0825:CAM1',
      'AV-MICROPHONE audio:/sys/devices/pci0000:00/0000:00:05.0',
      'AV-MICROPHONE audio:usb:046d:0a44:MIC1',
    ]);
    expect(rules(fixture('vm-baseline'))).toEqual([]);
    // An office that counts only external microphones (on-board jacks sealed) sets onboardAudio false.
    const externalOnly = policyWith((p) => (p.detection = { onboardAudio: false }));
    expect(rules(av, externalOnly).filter((r) => r.startsWith('AV-MICROPHONE'))).toEqual(['AV-MICROPHONE audio:usb:046d:0a44:MIC1']);
  });
});
