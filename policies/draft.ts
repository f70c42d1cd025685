import fs from 'node:fs';
import type { FindingOf } from '../agent/findings/schema.js';
import { mediaMatches } from './registry.js';
import type { Classification, MediaEntry, PolicyInput } from './schema.js';
import { PolicyError, validatePolicy } from './load.js';

/**
 * An unsigned draft policy that the secrecy officer edits with `media enroll` / `media retire`,
 * then signs and applies. Edits keep the draft valid (it is checked against the schema before
 * every write) and make its version newer than the one in force, ready to apply.
 */
export interface Draft {
  file: string;
  json: PolicyInput;
}

/** Open a draft, or start one from the policy in force when the file does not exist yet. */
export function openDraft(file: string, inForceBytes: Buffer): Draft {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : inForceBytes.toString('utf8');
  let json: PolicyInput;
  try {
    json = JSON.parse(text) as PolicyInput;
  } catch (error) {
    throw new PolicyError(file, '', `not valid JSON: ${(error as Error).message}`);
  }
  validatePolicy(json, file);
  return { file, json };
}

export function saveDraft(draft: Draft, inForceVersion: number): { version: number } {
  draft.json.version = Math.max(draft.json.version, inForceVersion + 1);
  validatePolicy(draft.json, draft.file);
  fs.writeFileSync(draft.file, JSON.stringify(draft.json, null, 2) + '\n', { mode: 0o600 });
  return { version: draft.json.version };
}

export interface Enrolment {
  owner: string;
  class: Classification;
  role: MediaEntry['role'];
  boundHost: string | null;
  label: string;
  registeredBy: string;
  registeredAt: string;
}

/** Add a medium seen on this machine to the draft's registry; returns the new entry. */
export function enrollMedium(draft: Draft, medium: FindingOf<'removable-storage'>, enrolment: Enrolment): MediaEntry {
  const media = (draft.json.registry ??= {}).media ?? (draft.json.registry.media = []);
  const existing = media.find((entry) => mediaMatches(entry, medium));
  if (existing) throw new PolicyError(draft.file, 'registry.media', `该介质已登记为 ${existing.id} / already registered as ${existing.id}`);
  const entry: MediaEntry = {
    id: nextMediaId(media, enrolment.registeredAt.slice(0, 4)),
    label: enrolment.label,
    vendorId: medium.usb?.vendorId ?? null,
    productId: medium.usb?.productId ?? null,
    serial: medium.noSerial ? null : medium.serial,
    capacityBytes: medium.mediaPresent ? medium.capacityBytes : null,
    class: enrolment.class,
    boundHost: enrolment.role === 'inspection' ? null : enrolment.boundHost,
    owner: enrolment.owner,
    status: 'active',
    registeredBy: enrolment.registeredBy,
    registeredAt: enrolment.registeredAt,
    role: enrolment.role,
  };
  media.push(entry);
  return entry;
}

/** Mark a registered medium retired or lost (entries are never deleted: the registry is a record). */
export function retireMedium(draft: Draft, id: string, status: 'retired' | 'lost'): MediaEntry {
  const entry = draft.json.registry?.media?.find((e) => e.id === id);
  if (!entry) throw new PolicyError(draft.file, 'registry.media', `没有登记号为 ${id} 的介质 / no medium with registry id ${id}`);
  entry.status = status;
  return entry;
}

function nextMediaId(media: readonly MediaEntry[], year: string): string {
  const prefix = `BM-${year}-`;
  const used = media.filter((e) => e.id.startsWith(prefix)).map((e) => Number(e.id.slice(prefix.length)) || 0);
  return `${prefix}${String(Math.max(0, ...used) + 1).padStart(4, '0')}`;
}
