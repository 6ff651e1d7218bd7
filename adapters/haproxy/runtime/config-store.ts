// The files on disk are the source of truth: HAProxy reads them at every start and reload, and
// runtime API changes are lost on reload unless the files say the same. Layout of the state dir:
//
//   haproxy.cfg, maps/, certs/   the live set (HAProxy runs with -C <stateDir>)
//   .manifest.json               which live files we manage (to delete the ones that disappear)
//   .pending                     a promote in flight: "writing" (set may be mixed) or "written"
//                                (complete on disk, HAProxy not yet confirmed to run it)
//   last-good/                   the set HAProxy was confirmed to run before the last promote
//                                (what a failed reload rolls back to; runtime-only changes do not
//                                copy their maps here: the promote of the next reload does)
//   .candidates/<id>/            a candidate being validated; never the live files
//
// A change costs in proportion to what it changes: the caller passes what the live files hold when it
// knows (it just read them, or they are what it wrote and nothing touched them since), only the files
// whose content differs are written, and last-good/ is brought up to date by rewriting only the files
// that differ from what this process last put there (a whole snapshot when it does not know: after
// a start or a failure).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { HAProxyConfigError } from './errors.js';
import { fileModeFor } from './file-mode.js';
import { type ValidateOptions, type ValidationResult, validateConfig } from './validate-config.js';

export type FileSet = Readonly<Record<string, string>>;

export interface Candidate {
  dir: string;
  files: FileSet;
  validation: ValidationResult;
}

export type PendingPhase = 'writing' | 'written';

const MANIFEST = '.manifest.json';
const PENDING = '.pending';
const LAST_GOOD = 'last-good';
const CANDIDATES = '.candidates';
/** Relative, no `..`, no hidden segments (ours), no absolute paths. */
const REL_PATH = /^(?!\.)[A-Za-z0-9_.-]+(\/(?!\.)[A-Za-z0-9_.-]+)*$/;
const RESERVED = new Set([LAST_GOOD, CANDIDATES]);

export class ConfigStore {
  /** What last-good/ holds when this process last wrote it whole or updated it; else unknown. */
  private lastGoodFiles: Readonly<Record<string, string>> | undefined;
  /** The manifest as this process last read or wrote it. */
  private manifestNames: readonly string[] | undefined;

  constructor(
    readonly stateDir: string,
    private readonly validateOptions: ValidateOptions = {},
  ) {}

  get configFile(): string {
    return this.validateOptions.configFile ?? 'haproxy.cfg';
  }

  /** The managed live files. */
  async read(): Promise<Record<string, string>> {
    return readSet(this.stateDir, await this.manifest());
  }

  async lastGood(): Promise<Record<string, string> | undefined> {
    const dir = join(this.stateDir, LAST_GOOD);
    const names = await listFiles(dir).catch(() => undefined);
    return names ? readSet(dir, names) : undefined;
  }

  /** Synchronous underneath: a read of a few bytes, asked on every change. */
  async pending(): Promise<PendingPhase | undefined> {
    let v: string;
    try {
      v = readFileSync(join(this.stateDir, PENDING), 'utf8');
    } catch {
      return undefined;
    }
    return v === 'writing' || v === 'written' ? v : undefined;
  }

  /** Writes the set into a fresh candidate dir and runs `haproxy -c` on it there. */
  async writeCandidate(files: FileSet): Promise<Candidate> {
    assertFileSet(files, this.configFile);
    const dir = join(this.stateDir, CANDIDATES, `${Date.now()}-${randomBytes(3).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), content, { mode: fileModeFor(rel) });
    }
    return { dir, files, validation: await validateConfig(dir, this.validateOptions) };
  }

  async discard(candidate: Candidate): Promise<void> {
    await rm(candidate.dir, { recursive: true, force: true });
  }

  /**
   * Makes a valid candidate the live set: snapshot the confirmed live set into last-good/, then
   * replace each file by write + rename, delete managed files that are gone. Leaves `.pending`
   * at "written" until markApplied() says HAProxy runs it.
   */
  async promote(candidate: Candidate, current?: Readonly<Record<string, string>>): Promise<string[]> {
    if (!candidate.validation.ok)
      throw new HAProxyConfigError('refusing to promote an invalid candidate', candidate.validation.errors);
    const written = await this.writeLive(candidate.files, current);
    await this.discard(candidate);
    return written;
  }

  /**
   * Same as promote without a `haproxy -c` (the runtime path: only slot and map contents changed,
   * whose syntax the runtime API itself checks). `current` is what the live files hold, when the
   * caller knows (read when not given). Returns the live files written.
   */
  async writeLive(
    files: FileSet,
    current?: Readonly<Record<string, string>>,
    opts: { lastGood?: boolean } = {},
  ): Promise<string[]> {
    assertFileSet(files, this.configFile);
    const live = current ?? (await this.read());
    try {
      // Only a confirmed live set may become last-good; after a failure it keeps the older one.
      if (
        opts.lastGood !== false &&
        (await this.pending()) === undefined &&
        (await this.manifest()).length > 0
      )
        await this.snapshotLastGood(live);
      await this.mark('writing');
      const written = await this.replaceLive(files, live);
      await this.mark('written');
      return written;
    } catch (err) {
      this.forget();
      throw err;
    }
  }

  /** HAProxy confirmed it runs the live set (reload succeeded, runtime commands acknowledged). */
  async markApplied(): Promise<void> {
    await unlink(join(this.stateDir, PENDING)).catch(() => undefined);
  }

  /** Puts last-good/ back as the live set (after a failed reload); the caller reloads again. */
  async rollback(): Promise<Record<string, string>> {
    const good = await this.lastGood();
    if (!good) throw new Error(`no last-good config in ${this.stateDir}`);
    try {
      await this.mark('writing');
      await this.replaceLive(good);
      await this.markApplied();
    } catch (err) {
      this.forget();
      throw err;
    }
    return good;
  }

  /**
   * The `.pending` marker. Atomic (a torn one would read as no marker), not synced: after a power
   * cut the adapter's start rewrites every live file from its saved state whatever the marker says.
   */
  private async mark(phase: PendingPhase): Promise<void> {
    await writeFileAtomic(join(this.stateDir, PENDING), phase, 0o644, { sync: false });
  }

  /** After a failure: what the files and last-good/ hold is read again next time. */
  private forget(): void {
    this.lastGoodFiles = undefined;
    this.manifestNames = undefined;
  }

  /**
   * After a crash: a promote that stopped while "writing" may have left a mixed set, so the last
   * good one goes back. Returns what was found.
   */
  async recover(): Promise<PendingPhase | undefined> {
    this.forget();
    const phase = await this.pending();
    if (phase === 'writing' && (await this.lastGood())) await this.rollback();
    await rm(join(this.stateDir, CANDIDATES), { recursive: true, force: true });
    return phase;
  }

  private async manifest(): Promise<readonly string[]> {
    if (this.manifestNames) return this.manifestNames;
    const raw = await readFile(join(this.stateDir, MANIFEST), 'utf8').catch(() => '[]');
    this.manifestNames = JSON.parse(raw) as string[];
    return this.manifestNames;
  }

  /**
   * Writes the files whose content differs from `current` (what the live files hold; read when not
   * given). A route change touches a map or two: rewriting (and syncing) every map, certificate and
   * the whole haproxy.cfg each time was most of an apply's time. Returns the files written.
   *
   * Not synced (writeFileAtomic's `sync: false`): the rename still makes each file change atomic
   * for HAProxy and for a restart after a crash of this process; after a power cut the adapter's
   * start rewrites every live file from its saved state (state/saved-state.ts, synced).
   */
  private async replaceLive(files: FileSet, current?: Readonly<Record<string, string>>): Promise<string[]> {
    const previous = await this.manifest();
    const onDisk = current ?? (await readSet(this.stateDir, previous));
    // Maps and certs before the config that references them, so a reload racing us finds them.
    const order = Object.keys(files)
      .filter((rel) => onDisk[rel] !== files[rel])
      .sort((a, b) => Number(a === this.configFile) - Number(b === this.configFile));
    for (const rel of order)
      await writeFileAtomic(join(this.stateDir, rel), files[rel]!, fileModeFor(rel), { sync: false });
    const names = Object.keys(files);
    const before = new Set(previous);
    if (names.length !== before.size || !names.every((n) => before.has(n))) {
      await writeFileAtomic(join(this.stateDir, MANIFEST), JSON.stringify(names.sort()));
      this.manifestNames = names;
    }
    for (const rel of previous)
      if (!(rel in files)) await unlink(join(this.stateDir, rel)).catch(() => undefined);
    return order;
  }

  /**
   * last-good/ becomes `live`: only the files that differ from what this process last put there
   * are rewritten (a route change: a map or two); a whole new snapshot when that is not known.
   */
  private async snapshotLastGood(live: Readonly<Record<string, string>>): Promise<void> {
    const good = this.lastGoodFiles;
    // Unknown until the update is complete: a failure halfway leaves a mix, and the next one is whole.
    this.lastGoodFiles = undefined;
    if (good) {
      const dir = join(this.stateDir, LAST_GOOD);
      for (const [rel, content] of Object.entries(live)) {
        if (good[rel] === content) continue;
        if (!(rel in good)) await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), content, { mode: fileModeFor(rel) });
      }
      for (const rel of Object.keys(good))
        if (!(rel in live)) await unlink(join(dir, rel)).catch(() => undefined);
      this.lastGoodFiles = live;
      return;
    }
    await this.snapshotWhole(live);
    this.lastGoodFiles = live;
  }

  private async snapshotWhole(live: Readonly<Record<string, string>>): Promise<void> {
    const tmp = join(this.stateDir, `.${LAST_GOOD}.${randomBytes(3).toString('hex')}`);
    for (const [rel, content] of Object.entries(live)) {
      await mkdir(join(tmp, rel, '..'), { recursive: true });
      await writeFile(join(tmp, rel), content, { mode: fileModeFor(rel) });
    }
    await mkdir(tmp, { recursive: true });
    // Directory swap: rename cannot replace a non-empty dir, so move the old one aside first.
    const old = join(this.stateDir, `.${LAST_GOOD}.old`);
    await rm(old, { recursive: true, force: true });
    await rename(join(this.stateDir, LAST_GOOD), old).catch(() => undefined);
    await rename(tmp, join(this.stateDir, LAST_GOOD));
    await rm(old, { recursive: true, force: true });
  }
}

function assertFileSet(files: FileSet, configFile: string): void {
  if (!(configFile in files)) throw new Error(`file set without ${configFile}`);
  for (const rel of Object.keys(files)) {
    if (
      !REL_PATH.test(rel) ||
      normalize(rel) !== rel ||
      rel.includes('..') ||
      RESERVED.has(rel.split('/')[0]!)
    )
      throw new Error(`not a safe relative path for the state dir: ${JSON.stringify(rel)}`);
  }
}

async function readSet(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of names) {
    const content = await readFile(join(dir, rel), 'utf8').catch(() => undefined);
    if (content !== undefined) out[rel] = content;
  }
  return out;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}
