import type { HostRoot } from '../host-root.js';

/**
 * The clocks of an event. Wall time can be set back by anyone with root, so each event also
 * carries the boot id and a monotonic reading: within one boot, monotonicMs only grows.
 */

/**
 * Whole milliseconds of CLOCK_MONOTONIC. process.hrtime reads it through libuv (uv_hrtime); on
 * Linux it counts from boot, not including time suspended, and cannot be set. A syscall-free
 * vDSO read: cheaper than reading /proc/uptime, and finer.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** /proc/sys/kernel/random/boot_id (a new random UUID at every boot), or null where there is none. */
export function readBootId(host: HostRoot): string | null {
  try {
    const id = host.readAttr('/proc/sys/kernel/random/boot_id')?.trim();
    return id !== undefined && UUID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** /etc/machine-id, or null. Named in signed checkpoints so a log cannot pass for another machine's. */
export function readMachineId(host: HostRoot): string | null {
  try {
    const id = host.readAttr('/etc/machine-id')?.trim();
    return id && /^[0-9a-f]{32}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
