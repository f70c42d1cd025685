import type { Logger } from 'pino';
import type { HostRoot } from '../host-root.js';
import { changedAreas, takeSnapshot, type DeviceArea, type DeviceSnapshot } from './device-snapshot.js';

export interface WatcherOptions {
  host: HostRoot;
  logger: Logger;
  /** Called with the areas that changed, at most once per `settleMs`. */
  onChange: (areas: DeviceArea[], cause: string) => void;
  /** Poll period when nothing happens (network links have no event source without a netlink socket). */
  idleMs?: number;
  /** Poll period for a few seconds after a change (a USB disk's block device comes ~1 s after the device). */
  busyMs?: number;
  busyForMs?: number;
  /** Use libusb hot-plug events (only on the live root). */
  libusb?: boolean;
}

/**
 * Notices devices coming and going. libusb's hot-plug events (a kernel netlink subscription in
 * libusb's own thread: no cost while idle) report a USB device the moment it enumerates; a cheap
 * sysfs snapshot, polled every second and every 100 ms for a few seconds after any change,
 * catches the rest: block devices, network interfaces and cable (carrier) changes.
 */
export class DeviceWatcher {
  private snapshot: DeviceSnapshot;
  private timer: NodeJS.Timeout | undefined;
  private busyUntil = 0;
  private stopLibusb: (() => void) | undefined;
  private readonly idleMs: number;
  private readonly busyMs: number;
  private readonly busyForMs: number;

  constructor(private readonly options: WatcherOptions) {
    this.snapshot = takeSnapshot(options.host);
    this.idleMs = options.idleMs ?? 1000;
    this.busyMs = options.busyMs ?? 100;
    this.busyForMs = options.busyForMs ?? 5000;
  }

  async start(): Promise<void> {
    if (this.options.libusb ?? this.options.host.isLive) this.stopLibusb = await subscribeLibusb(this.options.logger, (cause) => this.changed(['usb'], cause));
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopLibusb?.();
    this.stopLibusb = undefined;
  }

  private schedule(): void {
    const busy = Date.now() < this.busyUntil;
    this.timer = setTimeout(() => this.poll(), busy ? this.busyMs : this.idleMs);
  }

  private poll(): void {
    const next = takeSnapshot(this.options.host);
    const areas = changedAreas(this.snapshot, next);
    this.snapshot = next;
    if (areas.length > 0) this.changed(areas, 'sysfs');
    if (this.timer !== undefined) this.schedule();
  }

  private changed(areas: DeviceArea[], cause: string): void {
    this.busyUntil = Date.now() + this.busyForMs;
    if (cause !== 'sysfs') {
      // An event came before the poll saw it: take the snapshot now (so the same change is not
      // reported twice) and poll fast from now on for what follows, such as the block device.
      this.snapshot = takeSnapshot(this.options.host);
      clearTimeout(this.timer);
      if (this.timer !== undefined) this.schedule();
    }
    this.options.onChange(areas, cause);
  }
}

/**
 * Subscribe to libusb hot-plug events when libusb can deliver them; otherwise rely on polling
 * (libusb's own fallback would poll the whole device list every 500 ms). Any failure here —
 * no /dev/bus/usb, no /sys/bus/usb, a libusb that cannot start — leaves the sysfs poll in charge
 * and never reaches the process as an unhandled error.
 */
async function subscribeLibusb(logger: Logger, onEvent: (cause: string) => void): Promise<(() => void) | undefined> {
  try {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => logger.warn({ libusb: args.map(String).join(' ') }, 'libusb');
    let usb: typeof import('usb').usb & { INIT_ERROR?: number; _supportedHotplugEvents?: () => number };
    try {
      usb = (await import('usb')).usb as typeof usb;
    } finally {
      console.warn = warn;
    }
    if (usb.INIT_ERROR || !usb._supportedHotplugEvents?.()) {
      logger.info('libusb hot-plug events unavailable: polling sysfs');
      return undefined;
    }
    const attach = () => onEvent('usb-attach');
    const detach = () => onEvent('usb-detach');
    usb.on('attach', attach);
    usb.on('detach', detach);
    logger.info('listening for libusb hot-plug events');
    return () => {
      usb.off('attach', attach);
      usb.off('detach', detach);
    };
  } catch (error) {
    logger.warn({ err: error }, 'libusb unavailable: polling sysfs');
    return undefined;
  }
}
