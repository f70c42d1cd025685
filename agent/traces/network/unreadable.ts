import { HostAccessError, type HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';

/**
 * A trace reader that cannot read is like a probe that cannot look: the files it was denied are
 * collected (never thrown, so one unreadable profile does not throw away the leases and the other
 * profiles) and reported as one `probe-unavailable` finding, which PROBE-UNAVAILABLE turns into a
 * violation the inspector sees, rather than being read as "no traces".
 */
export class Unreadable {
  private readonly denied: { path: string; code: string }[] = [];

  /** Run a read; a denied read is noted and gives `fallback`. Other errors are host faults and go up. */
  read<T>(fallback: T, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof HostAccessError)) throw error;
      this.denied.push({ path: error.hostPath, code: error.code });
      return fallback;
    }
  }

  list(host: HostRoot, dir: string): string[] {
    return this.read([], () => host.list(dir));
  }

  text(host: HostRoot, file: string): string | undefined {
    return this.read(undefined, () => host.readText(file));
  }

  get paths(): readonly string[] {
    return this.denied.map((d) => d.path);
  }

  /** One finding for all the denied paths of a scan (stable id), or none. */
  finding(probe: string): FindingOf<'probe-unavailable'>[] {
    if (this.denied.length === 0) return [];
    const shown = this.denied.slice(0, 10).map((d) => `${d.code} ${d.path}`);
    const more = this.denied.length > shown.length ? ` (+${this.denied.length - shown.length})` : '';
    return [
      {
        id: `probe:${probe}`,
        kind: 'probe-unavailable',
        probe,
        reason: 'permission-denied',
        detail: `${shown.join(', ')}${more}`,
      },
    ];
  }
}
