import { localDateTime } from '../../agent/schedule/calendar-date.js';
import { traceMatchesMedia } from '../registry.js';
import { reason, type Check, type CheckContext } from './check.js';

/**
 * Traces of the past (deep scan): what the system's own logs, leases and profiles say happened,
 * whether or not the agent was watching then.
 */

const AGENT_SAW = {
  recorded: ['代理当时已实时记录', 'the agent recorded it live'],
  'not-recorded': ['代理当时在运行却没有记录', 'the agent was running but has no record of it'],
  'agent-stopped': ['当时代理未运行', 'the agent was not running then'],
  'before-agent': ['早于代理的日志', 'before the agent\'s log begins'],
  unknown: ['', ''],
} as const;

export const traceMedia: Check = {
  'usb-trace': (trace, context) => {
    if (context.policy.registry.media.some((entry) => traceMatchesMedia(entry, trace.usb))) return null;
    const [zh, en] = AGENT_SAW[trace.agentSaw];
    const when = localTime(trace.time, context);
    return reason(
      `${when} 曾接入未登记的 USB 存储设备${zh ? `(${zh})` : ''}`,
      `unregistered USB storage was attached at ${when}${en ? ` (${en})` : ''}`,
    );
  },
};

const MEDIUM = {
  ethernet: ['有线网络', 'wired network'],
  wifi: ['无线网络(Wi-Fi)', 'Wi-Fi'],
  mobile: ['移动网络(上网卡)', 'mobile broadband'],
  vpn: ['VPN', 'VPN'],
  bluetooth: ['蓝牙网络', 'Bluetooth network'],
  'usb-tether': ['USB 共享网络(手机等)', 'USB tethering (a phone …)'],
  other: ['网络', 'network'],
} as const;

const TRACE = {
  'dhcp-lease': ['曾通过 DHCP 获得网络地址', 'obtained a network address by DHCP'],
  'connection-profile': ['保存有网络连接配置', 'a network connection profile is saved'],
  'wpa-network': ['保存有无线网络配置', 'a Wi-Fi network is configured'],
  'link-up': ['网络链路曾经接通', 'a network link came up'],
} as const;

export const traceNetwork: Check = {
  'network-trace': (trace, context) => {
    if (trace.virtual && !context.policy.detection.virtualInterfaces) return null;
    const [mediumZh, mediumEn] = MEDIUM[trace.medium];
    const [whatZh, whatEn] = TRACE[trace.trace];
    const when = trace.time === null ? null : localTime(trace.time, context);
    return reason(
      `${when ? `${when} ` : ''}${mediumZh}:${whatZh}${trace.name ? `(${trace.name})` : ''}`,
      `${mediumEn}: ${whatEn}${trace.name ? ` (${trace.name})` : ''}${when ? ` at ${when}` : ''}`,
    );
  },
};

/** A time as the office reads it: in the policy's time zone, to the minute. */
export function localTime(iso: string, context: CheckContext): string {
  const { date, time } = localDateTime(new Date(iso), context.policy.timezone);
  return `${date} ${time}`;
}
