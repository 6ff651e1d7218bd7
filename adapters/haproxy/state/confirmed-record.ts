// The record of what HAProxy runs, kept by the adapter after each apply it saw through: the files it
// wrote (and the stat of each as it left it), the slots and map entries it set, and which worker
// runs them. observe answers from it instead of reading the files and the worker again when cheap
// checks say nothing else touched them (docs/haproxy.md, "Observe"):
//   - no `.pending` marker (an apply that stopped between the files and HAProxy);
//   - each managed file the load balancer's resources live in has the inode, size, mtime and ctime
//     the adapter left it with (a hand edit of a file changes at least one);
//   - the same worker: an HAProxy the adapter started is reloaded by nobody else; an attached one
//     answers `show proc` on its master with the same pids and reload count.
// What the checks cannot see (a hand `set server` or `set map` through the admin socket) is found by
// the full read that resync asks for (ObserveOptions.readBack). A load balancer's first observe after
// a start, and every observe after an error, reads in full.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { Resource } from '#core/plan/types.js';
import { certPath, type HaproxyKinds, mapPath } from '../model.js';
import type { HAProxyDesired } from '../runtime/apply-runtime.js';

/** What stat says of a file; a hand edit, even one that keeps the size and mtime, moves the ctime. */
interface FileStamp {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export class ConfirmedRecord {
  /** Load balancers read in full since the start (or the last error): the record may answer for them. */
  readonly verified = new Set<LbKey>();

  private constructor(
    private readonly stateDir: string,
    /** What HAProxy runs: files, slots, map entries. */
    readonly running: HAProxyDesired,
    private readonly stamps: Map<string, FileStamp>,
    /** The worker generation it runs in (attached: from `show proc`); undefined = not checked. */
    readonly worker: string | undefined,
  ) {}

  /** A record of `running`, every file stamped now (after a start, or an apply read in full). */
  static of(stateDir: string, running: HAProxyDesired, worker: string | undefined): ConfirmedRecord {
    const stamps = new Map<string, FileStamp>();
    for (const rel of Object.keys(running.files)) {
      const stamp = stampOf(join(stateDir, rel));
      if (stamp) stamps.set(rel, stamp);
    }
    return new ConfirmedRecord(stateDir, running, stamps, worker);
  }

  /**
   * The record after an apply from it: `running` now, the files it wrote stamped again, the others as
   * they were. The load balancers it answered for still can.
   */
  after(running: HAProxyDesired, written: readonly string[], worker: string | undefined): ConfirmedRecord {
    const stamps = new Map<string, FileStamp>();
    for (const [rel, stamp] of this.stamps) if (rel in running.files) stamps.set(rel, stamp);
    for (const rel of written) {
      const stamp = stampOf(join(this.stateDir, rel));
      if (stamp) stamps.set(rel, stamp);
      else stamps.delete(rel);
    }
    const next = new ConfirmedRecord(this.stateDir, running, stamps, worker);
    for (const key of this.verified) next.verified.add(key);
    return next;
  }

  /**
   * A file observe read in full holds what the record says: it is stamped again, so a file that was
   * only touched (same content) does not send every later observe to a full read.
   */
  confirmFile(rel: string, content: string | undefined, stampBefore: FileStampResult): void {
    if (stampBefore && content !== undefined && this.running.files[rel] === content)
      this.stamps.set(rel, stampBefore);
  }

  /**
   * The files `resources` live in have the stamps the adapter left them with (and those it does not
   * hold are still absent), so their content is what the record says.
   */
  filesUnchanged(configFile: string, resources: Iterable<Resource<HaproxyKinds>>): boolean {
    for (const rel of filesOf(configFile, resources)) {
      const now = stampOf(join(this.stateDir, rel));
      const then = this.stamps.get(rel);
      if (!(rel in this.running.files)) {
        if (now !== undefined) return false;
      } else if (!now || !then || !sameStamp(now, then)) return false;
    }
    return true;
  }
}

export type FileStampResult = FileStamp | undefined;

/** The stat of a file now; undefined when it is absent. Synchronous: one stat is ~20 µs. */
export function stampOf(path: string): FileStamp | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return { ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
  } catch {
    return undefined;
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** haproxy.cfg and the map, certificate and crt-list files the resources are written to. */
function filesOf(configFile: string, resources: Iterable<Resource<HaproxyKinds>>): Set<string> {
  const files = new Set([configFile]);
  for (const r of resources) {
    if (r.kind === 'map') files.add(mapPath(r.value.name));
    else if (r.kind === 'cert') files.add(certPath(r.value.name));
    else if (r.kind === 'frontend') {
      if (r.value.tls?.mode === 'Terminate') files.add(r.value.tls.crtList);
      if (r.value.terminator) files.add(r.value.terminator.tls.crtList);
    }
  }
  return files;
}
