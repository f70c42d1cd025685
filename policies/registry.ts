import type { FindingOf, UsbIdentity } from '../agent/findings/schema.js';
import { CLASSIFICATIONS, type Classification, type MediaEntry, type Policy } from './schema.js';

/** The computer being evaluated, as the registry names computers. */
export interface HostRef {
  hostname: string;
  machineId: string | null;
}

/** A registry entry's host field names this computer (by hostname or machine id). */
export function isThisHost(name: string, host: HostRef): boolean {
  return name === host.hostname || (host.machineId !== null && name === host.machineId);
}

/** This computer's class: its registry entry, else the policy's computer class. */
export function computerClassOf(policy: Policy, host: HostRef): Classification {
  const entry = policy.registry.hosts.find(
    (h) => h.hostname === host.hostname || (h.machineId !== null && h.machineId === host.machineId),
  );
  return entry?.class ?? policy.computerClass;
}

/** Higher number, higher class: 绝密 4 … 非涉密 0. */
export function classRank(level: Classification): number {
  return CLASSIFICATIONS.length - 1 - CLASSIFICATIONS.indexOf(level);
}

/**
 * The registry entry of a medium. Identity is stronger than a serial alone (cheap sticks share
 * or lack serials): vendor id, product id, serial and capacity must all agree with the entry;
 * an entry's null VID/PID (a non-USB SD card) or null capacity leaves that part unchecked, while
 * a null serial only matches a medium that has none.
 */
export function findMedia(policy: Policy, medium: FindingOf<'removable-storage'>): MediaEntry | null {
  return policy.registry.media.find((entry) => mediaMatches(entry, medium)) ?? null;
}

export function mediaMatches(entry: MediaEntry, medium: FindingOf<'removable-storage'>): boolean {
  if (entry.vendorId !== null && entry.vendorId !== medium.usb?.vendorId) return false;
  if (entry.productId !== null && entry.productId !== medium.usb?.productId) return false;
  if ((entry.serial ?? null) !== (medium.noSerial ? null : medium.serial)) return false;
  return entry.capacityBytes === null || entry.capacityBytes === medium.capacityBytes;
}

/** A medium seen in a log: only its USB identity is known (no capacity), so VID, PID and serial must agree. */
export function traceMatchesMedia(entry: MediaEntry, usb: UsbIdentity): boolean {
  if (entry.vendorId !== null && entry.vendorId !== usb.vendorId) return false;
  if (entry.productId !== null && entry.productId !== usb.productId) return false;
  return (entry.serial ?? null) === (usb.serial ?? null);
}

export function isApprovedInterface(policy: Policy, nic: FindingOf<'network-interface'>, host: HostRef): boolean {
  return policy.registry.networkInterfaces.some(
    (entry) => nic.mac !== null && entry.mac === nic.mac && (entry.boundHost === null || isThisHost(entry.boundHost, host)),
  );
}

export function isApprovedPrinter(policy: Policy, printer: FindingOf<'printer'>, host: HostRef): boolean {
  return policy.registry.printers.some((entry) => {
    if (entry.boundHost !== null && !isThisHost(entry.boundHost, host)) return false;
    if (entry.deviceUri !== null && entry.deviceUri === printer.deviceUri) return true;
    const usb = printer.usb;
    return (
      usb !== null &&
      entry.vendorId === usb.vendorId &&
      entry.productId === usb.productId &&
      (entry.serial === null || entry.serial === usb.serial)
    );
  });
}
