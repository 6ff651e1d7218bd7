// What the adapter keeps across restarts, next to the files HAProxy reads: the resources it last
// applied per load balancer (the reference observe reads the live files against, and what a start
// materializes), the slot each endpoint sits in, and the address each load balancer was given.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import type { SlotAssignment } from '../config/slots.js';
import type { HaproxyKinds } from '../model.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';

export interface SavedState {
  /** The IPv4 address each load balancer holds from the pool. */
  addresses: Record<LbKey, string>;
  /** The IPv6 address each IPv6-only or dual-stack load balancer holds; absent = none. */
  addresses6?: Record<LbKey, string>;
  resources: Record<LbKey, DesiredResource<HaproxyKinds>[]>;
  slots: Record<string, SlotAssignment>;
  /**
   * Backends a load balancer stopped routing to (the newest 64), still written to haproxy.cfg:
   * removing one is a reload of its own, and a route that moves back to it then needs none. Not
   * part of what observe reads or plans (no route uses them); gone with their load balancer.
   */
  idle?: Record<LbKey, DesiredResource<HaproxyKinds>[]>;
}

const STATE_FILE = 'portico-state.json';

/** Synchronous: the factory loads it before anything else can run. */
export function loadSavedState(stateDir: string): SavedState {
  try {
    return JSON.parse(readFileSync(join(stateDir, STATE_FILE), 'utf8')) as SavedState;
  } catch {
    return { addresses: {}, resources: {}, slots: {} };
  }
}

export async function saveState(stateDir: string, state: SavedState): Promise<void> {
  await writeFileAtomic(join(stateDir, STATE_FILE), `${JSON.stringify(state)}\n`, 0o600);
}
