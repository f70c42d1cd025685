import type { EnrolledDisk } from '../../agent/findings/schema.js';
import { formatBytes } from '../../agent/findings/label.js';
import { isApprovedPrinter, isThisHost } from '../registry.js';
import { reason, type Check } from './check.js';

export const avMicrophone: Check = {
  'audio-capture': (audio, context) => {
    const known = audio.capturePcms.length > 0;
    if (audio.external) {
      return known
        ? reason('外接 USB 麦克风/音频输入设备', 'external USB microphone / audio input device')
        : reason('USB 音频设备(无法确认是否可录音,按麦克风处理)', 'USB audio device (whether it records cannot be read: counted as a microphone)');
    }
    if (!context.policy.detection.onboardAudio) return null;
    return known
      ? reason(`主板声卡具有录音通道(${audio.capturePcms.length} 个),可接入麦克风`, `on-board sound codec with ${audio.capturePcms.length} capture channel(s): a microphone can be used`)
      : reason('主板声卡(可接入麦克风)', 'on-board sound device: a microphone can be used');
  },
};

export const avCamera: Check = {
  'video-capture': (video) => {
    if (video.nodes.length === 0) return reason(`摄像头(${video.external ? '外接 USB' : '内置'})`, `camera (${video.external ? 'external USB' : 'built-in'})`);
    const unknown = video.nodes.some((n) => n.capabilities === null);
    return unknown
      ? reason('视频采集设备(无法读取 udev 能力信息,按摄像头处理)', 'video device (udev capabilities unknown: counted as a camera)')
      : reason(`视频采集设备(${video.external ? '外接 USB' : '内置'})`, `video capture device (${video.external ? 'external USB' : 'built-in'})`);
  },
};

export const printerShared: Check = {
  printer: (printer, context) => {
    if (printer.shared) return reason(`打印队列 ${printer.queue} 已共享给其他计算机`, `print queue ${printer.queue} is shared with other computers`);
    if (printer.network && !isApprovedPrinter(context.policy, printer, context.host)) {
      return reason(`打印队列 ${printer.queue} 连接网络打印机`, `print queue ${printer.queue} prints to a network printer`);
    }
    return null;
  },
};

export const printerFax: Check = {
  printer: (printer) => {
    if (printer.fax) return reason(`打印队列 ${printer.queue} 具有传真功能`, `print queue ${printer.queue} has a fax function`);
    if (printer.multifunction) return reason(`打印队列 ${printer.queue} 是多功能一体机(带存储/传真)`, `print queue ${printer.queue} is a multifunction device`);
    return null;
  },
};

export const secSoftware: Check = {
  'security-software': (software, context) => {
    const name = context.policy.requiredSoftware.find((s) => s.id === software.software)?.name ?? { zh: software.software, en: software.software };
    if (!software.installed) return reason(`安全保密防护软件「${name.zh}」未安装或已被卸载`, `security software "${name.en}" is not installed`);
    if (!software.running) return reason(`安全保密防护软件「${name.zh}」未运行`, `security software "${name.en}" is not running`);
    return null;
  },
};

export const secAgentGap: Check = {
  'agent-gap': (gap) =>
    gap.gap === 'unclean-stop'
      ? reason(`代理非正常停止约 ${gap.minutes} 分钟(断电、被强制终止或崩溃),期间无人监控`, `the agent stopped without an orderly shutdown for about ${gap.minutes} min (power cut, killed or crashed): nothing was watched`)
      : reason(`代理运行中约 ${gap.minutes} 分钟没有心跳(被挂起或停滞)`, `the agent wrote no heartbeat for about ${gap.minutes} min while running (suspended or frozen)`),
};

/**
 * HW-DISK-CHANGE (T3 第十五条). The officer's registry (`registry.disks` for this computer) is the
 * baseline when it names any disk; otherwise the disks the agent enrolled at its first run.
 * A disk not in the baseline was added, or replaced the enrolled disk of the same device name;
 * an enrolled disk that is gone was removed.
 */
export const hwDiskChange: Check = {
  'fixed-disk': (disk, context) => {
    const registered = context.policy.registry.disks.filter((d) => isThisHost(d.host, context.host));
    if (registered.length > 0) {
      if (registered.some((d) => d.serial === disk.serial)) return null;
      return reason('硬盘不在本机登记的硬盘清单中(疑似被更换)', 'disk is not among the disks enrolled for this computer (swapped?)');
    }
    const enrolled = context.enrolledDisks;
    if (enrolled === null || enrolled.some((d) => sameDisk(d, disk))) return null;
    const before = enrolled.find((d) => d.device === disk.device);
    return before
      ? reason(`硬盘 ${disk.device} 已被更换:登记时为 ${describeDisk(before)}`, `disk ${disk.device} was replaced: at enrolment it was ${describeDisk(before)}`)
      : reason('新增的硬盘(登记时没有)', 'a disk that was not there at enrolment');
  },
  inventory: (findings, context) => {
    const present = findings.filter((f) => f.kind === 'fixed-disk');
    const registered = context.policy.registry.disks.filter((d) => isThisHost(d.host, context.host));
    if (registered.length > 0) {
      const serials = new Set(present.map((d) => d.serial));
      return registered
        .filter((d) => !serials.has(d.serial))
        .map((d) => ({
          findingId: `disk:${d.serial}`,
          device: [d.model, `S/N ${d.serial}`].filter(Boolean).join(' '),
          reason: reason('登记的硬盘已不在本机(被拆除或更换)', 'an enrolled disk is missing from this computer (removed or swapped)'),
        }));
    }
    return (context.enrolledDisks ?? [])
      .filter((d) => !present.some((disk) => sameDisk(d, disk)))
      .filter((d) => !present.some((disk) => disk.device === d.device)) // reported as replaced, on the new disk
      .map((d) => ({
        findingId: `disk:${d.serial ?? d.wwn ?? d.device}`,
        device: describeDisk(d),
        reason: reason('登记的硬盘已不在本机(被拆除)', 'an enrolled disk is gone from this computer (removed)'),
      }));
  },
};

/** Same physical disk: by serial, else WWN, else model and size (a disk that reports neither). */
function sameDisk(a: EnrolledDisk, b: EnrolledDisk): boolean {
  if (a.serial !== null || b.serial !== null) return a.serial === b.serial;
  if (a.wwn !== null || b.wwn !== null) return a.wwn === b.wwn;
  return a.model === b.model && a.capacityBytes === b.capacityBytes;
}

function describeDisk(d: EnrolledDisk): string {
  return [d.device, d.model, d.serial && `S/N ${d.serial}`, formatBytes(d.capacityBytes)].filter(Boolean).join(' ');
}

export const probeUnavailable: Check = {
  'probe-unavailable': (probe) => {
    const why = {
      'permission-denied': ['权限不足(请以 root 运行)', 'permission denied (run as root)'],
      'unsupported-platform': ['本平台不支持', 'not supported on this platform'],
      error: ['检查出错', 'the check failed'],
    }[probe.reason];
    return reason(`检查项「${probe.probe}」无法执行:${why[0]}`, `check "${probe.probe}" could not run: ${why[1]} — ${probe.detail}`);
  },
};
