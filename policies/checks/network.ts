import type { FindingOf } from '../../agent/findings/schema.js';
import { isRoutableAddress } from '../../agent/probes/network/proc-net.js';
import { isApprovedInterface } from '../registry.js';
import { reason, type Check, type CheckContext } from './check.js';

/** An interface the network rules look at: not loopback, not virtual unless the policy says so. */
function counted(nic: FindingOf<'network-interface'>, context: CheckContext): boolean {
  return !nic.loopback && (!nic.virtual || context.policy.detection.virtualInterfaces);
}

export const netCable: Check = {
  'network-interface': (nic, context) => {
    if (!counted(nic, context) || nic.wireless || nic.wwan || nic.carrier !== true) return null;
    if (isApprovedInterface(context.policy, nic, context.host)) return null;
    return reason(`${nic.name} 检测到网线连接(链路已接通)`, `link detected on ${nic.name} (cable plugged in)`);
  },
};

export const netInternet: Check = {
  'network-interface': (nic, context) => {
    if (!counted(nic, context) || isApprovedInterface(context.policy, nic, context.host)) return null;
    const routable = [...nic.ipv4, ...nic.ipv6].filter(isRoutableAddress);
    if (nic.defaultRoute) {
      return reason(`${nic.name} 上有默认路由,可访问外部网络`, `${nic.name} carries a default route to outside networks`);
    }
    if (routable.length > 0) {
      return reason(`${nic.name} 配置了网络地址 ${routable.join(', ')}`, `${nic.name} has network addresses ${routable.join(', ')}`);
    }
    return null;
  },
};

export const netWireless: Check = {
  'network-interface': (nic) => {
    if (nic.wwan) return reason(`${nic.name} 是移动网络(4G/5G)接口`, `${nic.name} is a cellular (4G/5G) interface`);
    if (!nic.wireless) return null;
    const state = nic.adminUp ? '' : '(即使处于关闭状态)';
    return reason(`${nic.name} 是无线网卡${state}`, `${nic.name} is a Wi-Fi interface${nic.adminUp ? '' : ' (even though it is down)'}`);
  },
  'usb-device': (device) =>
    device.modem ? reason('USB 设备带有移动网络调制解调器功能', 'USB device has a cellular modem function') : null,
};

export const netUsbAdapter: Check = {
  'network-interface': (nic, context) => {
    if (nic.bus !== 'usb' || isApprovedInterface(context.policy, nic, context.host)) return null;
    return reason(
      `${nic.name} 是 USB 网络适配器或手机共享网络(驱动 ${nic.driver ?? '未知'})`,
      `${nic.name} is a USB network adapter or phone tethering (driver ${nic.driver ?? 'unknown'})`,
    );
  },
};

export const netBluetooth: Check = {
  'bluetooth-adapter': (adapter) => {
    const state = adapter.softBlocked || adapter.hardBlocked ? ['(已被禁用,但硬件仍在)', ' (blocked, but the radio is present)'] : ['', ''];
    return reason(`发现蓝牙控制器${state[0]}`, `Bluetooth controller present${state[1]}`);
  },
};
