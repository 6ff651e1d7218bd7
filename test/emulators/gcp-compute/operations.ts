// Long-running operations. Every mutation answers with an Operation that reads PENDING, then RUNNING,
// then DONE once its delay has passed. The change is visible at once (the resource is "not ready" until
// DONE); an operation scripted to fail finishes DONE with `error` and undoes the change, as GCP does when
// an operation fails. `wait` blocks until DONE or its deadline (GCP: about 2 minutes), so callers loop.

import { randomBytes } from 'node:crypto';
import { scopeLink } from './references.js';
import type { Scope } from './routes.js';
import type { Json } from './store.js';

export interface OperationFailure {
  /** The error code inside `error.errors[]`, e.g. RESOURCE_NOT_READY, QUOTA_EXCEEDED, INTERNAL_ERROR. */
  code: string;
  message: string;
  httpStatus: number;
}

interface OperationRecord {
  project: string;
  scope: Scope;
  id: string;
  name: string;
  operationType: string;
  targetLink: string;
  targetId: string | undefined;
  insertedAt: number;
  startAt: number;
  doneAt: number;
  finished: boolean;
  failure: OperationFailure | undefined;
  commit: (() => void) | undefined;
  rollback: (() => void) | undefined;
  waiters: (() => void)[];
}

export interface StartOperation {
  project: string;
  scope: Scope;
  operationType: string;
  targetLink: string;
  targetId?: string;
  delayMs: number;
  failure?: OperationFailure;
  /** Runs when the operation succeeds (e.g. a delete removes the resource then). */
  commit?: () => void;
  /** Runs when the operation fails: undoes what the request changed. */
  rollback?: () => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class OperationStore {
  private readonly ops = new Map<string, OperationRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 7_000_000_000_000_000_000n + BigInt(randomBytes(2).readUInt16BE());

  constructor(private readonly now: () => number) {}

  start(s: StartOperation): OperationRecord {
    const at = this.now();
    const name = `operation-${at}-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('hex')}`;
    const rec: OperationRecord = {
      project: s.project,
      scope: s.scope,
      id: String(this.nextId++),
      name,
      operationType: s.operationType,
      targetLink: s.targetLink,
      targetId: s.targetId,
      insertedAt: at,
      // PENDING for the first third of the delay, RUNNING for the rest.
      startAt: at + Math.floor(s.delayMs / 3),
      doneAt: at + s.delayMs,
      finished: false,
      failure: s.failure,
      commit: s.commit,
      rollback: s.rollback,
      waiters: [],
    };
    this.ops.set(this.key(s.project, s.scope, name), rec);
    if (s.delayMs <= 0) this.finish(rec);
    else {
      const t = setTimeout(() => {
        this.timers.delete(t);
        // Its own timer finishes it: the wall clock settle() reads can lag the timer's clock by a
        // millisecond, and a waiter would then sleep until its deadline.
        if (!rec.finished) this.finish(rec);
        this.settle();
      }, s.delayMs);
      t.unref();
      this.timers.add(t);
    }
    return rec;
  }

  /** Finishes every operation whose time has come (called before each request is served, and by timers). */
  settle(): void {
    const now = this.now();
    for (const rec of this.ops.values()) if (!rec.finished && rec.doneAt <= now) this.finish(rec);
  }

  get(project: string, scope: Scope, name: string): OperationRecord | undefined {
    return this.ops.get(this.key(project, scope, name));
  }

  /** Resolves when the operation is DONE or after `timeoutMs`, whichever comes first. */
  async wait(rec: OperationRecord, timeoutMs: number): Promise<void> {
    if (rec.finished) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, timeoutMs);
      this.timers.add(t);
      rec.waiters.push(() => {
        clearTimeout(t);
        this.timers.delete(t);
        resolve();
      });
    });
  }

  /** The Operation resource as the API returns it at this moment. */
  view(rec: OperationRecord): Json {
    const now = this.now();
    const status = rec.finished ? 'DONE' : now < rec.startAt ? 'PENDING' : 'RUNNING';
    const base = scopeLink(rec.project, rec.scope);
    const op: Json = {
      kind: 'compute#operation',
      id: rec.id,
      name: rec.name,
      operationType: rec.operationType,
      targetLink: rec.targetLink,
      status,
      user: 'portico-emulator@example.iam.gserviceaccount.com',
      progress: status === 'DONE' ? 100 : 0,
      insertTime: iso(rec.insertedAt),
      selfLink: `${base}/operations/${rec.name}`,
    };
    if (rec.targetId) op.targetId = rec.targetId;
    if (rec.scope.kind === 'region') op.region = base;
    if (rec.scope.kind === 'zone') op.zone = base;
    if (status !== 'PENDING') op.startTime = iso(rec.startAt);
    if (status === 'DONE') op.endTime = iso(rec.doneAt);
    if (status === 'DONE' && rec.failure) {
      op.error = { errors: [{ code: rec.failure.code, message: rec.failure.message }] };
      op.httpErrorStatusCode = rec.failure.httpStatus;
      op.httpErrorMessage = rec.failure.httpStatus === 403 ? 'FORBIDDEN' : 'BAD REQUEST';
    }
    return op;
  }

  /** Drops every operation (a reset); pending waits return at once. */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const rec of this.ops.values()) for (const w of rec.waiters) w();
    this.ops.clear();
  }

  private finish(rec: OperationRecord): void {
    rec.finished = true;
    rec.doneAt = Math.min(rec.doneAt, this.now());
    if (rec.failure) rec.rollback?.();
    else rec.commit?.();
    for (const w of rec.waiters.splice(0)) w();
  }

  private key(project: string, scope: Scope, name: string): string {
    return `${project}/${scope.kind === 'global' ? 'global' : scope.name}/${name}`;
  }
}
