// What every per-kind apply step shares within one apply: the calls, this load balancer's ownership,
// the re-read that comes before any update or delete, and create-or-adopt. Nothing outlives the
// apply: the next observe finds everything again by name.

import type { LbKey } from '#core/ir/load-balancer.js';
import type { Change } from '#core/plan/types.js';
import { ConflictError, NotOwnedError } from '../../types.js';
import type { GcpKind, GcpKinds, ReferencedKind } from '../model.js';
import type { GcpCalls, Json } from './calls.js';
import { getResource, insertResource, type Scope } from './collections.js';
import { AlreadyExistsError } from './errors.js';
import { ownedBy } from './ownership.js';

export interface ApplyContext {
  readonly calls: GcpCalls;
  readonly key: LbKey;
  owned(description: unknown): boolean;
  /**
   * The resource as it is right before a change: undefined when it is gone; NotOwnedError when it
   * does not carry this load balancer's marker (someone took the name since observe).
   */
  recheck(address: string, kind: ReferencedKind, name: string, scope: Scope): Promise<Json | undefined>;
  /**
   * Inserts; when the name is taken, adopts the resource only if it carries this load balancer's
   * marker (an earlier apply created it and stopped, or a retried insert had succeeded).
   */
  createOrAdopt(address: string, kind: ReferencedKind, name: string, scope: Scope, body: Json): Promise<void>;
}

export function applyContext(calls: GcpCalls, key: LbKey, cluster: string | undefined): ApplyContext {
  const owned = (description: unknown) => ownedBy(description, key, cluster);
  const recheck = async (address: string, kind: ReferencedKind, name: string, scope: Scope) => {
    const now = await getResource(calls, kind, name, scope);
    if (now && !owned(now.description)) throw new NotOwnedError(address);
    return now;
  };
  return {
    calls,
    key,
    owned,
    recheck,
    async createOrAdopt(address, kind, name, scope, body) {
      try {
        await insertResource(calls, kind, scope, body);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        const existing = await recheck(address, kind, name, scope);
        if (!existing)
          throw new ConflictError(`${address}: the name is taken, but nothing is found by it`, address);
      }
    },
  };
}

/** The scope of a model value: a NEG's zone, a regional resource's region, or global. */
export function scopeOf(value: { region?: string; zone?: string }): Scope {
  if (value.zone !== undefined) return { zone: value.zone };
  return value.region !== undefined ? { region: value.region } : {};
}

/** Whether a change touches `field` (the field itself, or anything under it). */
export function touched(c: { changedPaths?: string[] }, field: string): boolean {
  return (c.changedPaths ?? []).some(
    (p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`),
  );
}

/** An update of one kind. */
export type UpdateOf<Kind extends GcpKind> = Extract<Change<GcpKinds>, { kind: Kind; action: 'update' }>;
