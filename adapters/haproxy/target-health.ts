// targetHealth for HAProxy: how its own health checks see each server slot of a load balancer's
// backends (`show servers state`), mapped back to IR pool, address and port.
//
// A slot's last check result outlives an address change: a slot moved from a healthy endpoint to a
// new one still says "passed" until its next check runs (HAProxy 2.6, seen with real processes). So a
// passed check counts only once a check must have run since the slot's last state change (at least
// one check interval ago), or when this reader saw the same server at the same address down before
// (a check brought it up).

import type { TargetHealth } from '../types.js';
import type { BackendModel } from './model.js';
import type { ServerRuntimeState } from './runtime/runtime-client.js';

const CHECK_PASSED = 3;
const CHECK_CONDITIONALLY_PASSED = 4;
const CHECK_NOT_YET = 1;
const OP_STOPPED = 0;
const OP_RUNNING = 2;
const OP_STOPPING = 3;
const CHECK_FAILED = 2;

/** HCHK_STATUS_* codes, for reasons. */
const CHECK_STATUS: Readonly<Record<number, string>> = {
  1: 'not checked yet',
  4: 'socket error',
  5: 'L4 timeout',
  6: 'L4 check passed',
  7: 'L4 connection refused',
  8: 'L4 connection problem',
  9: 'L6 timeout',
  10: 'L6 response error',
  11: 'L6 check passed',
  12: 'L7 timeout',
  13: 'L7 response error',
  14: 'L7 check passed',
  15: 'L7 check passed',
  16: 'L7 status code not expected',
  17: 'L7 check passed conditionally',
};

/** Servers seen down per `backend/server` and address: a later "up" there came from a check. */
export type SeenDown = Map<string, string>;

/**
 * The health of every server slot (not in maintenance) of `backends`, as `servers` reports it.
 * `seenDown` is updated in place (the adapter keeps it between reads).
 */
export function targetHealthOf(
  backends: readonly BackendModel[],
  servers: readonly ServerRuntimeState[],
  seenDown: SeenDown,
): TargetHealth[] {
  const byName = new Map(backends.map((b) => [b.name, b]));
  const out: TargetHealth[] = [];
  for (const s of servers) {
    const backend = byName.get(s.backend);
    if (!backend || s.state === 'maint') continue;
    const id = `${s.backend}/${s.server}`;
    const address = `${s.addr}:${s.port}`;
    const passed = s.checkResult === CHECK_PASSED || s.checkResult === CHECK_CONDITIONALLY_PASSED;
    const fresh = s.secondsSinceChange >= backend.healthCheck.intervalSeconds || seenDown.get(id) === address;
    let state: TargetHealth['state'];
    let reason = CHECK_STATUS[s.checkStatus] ?? `check status ${s.checkStatus}`;
    if (s.operationalState === OP_STOPPED || s.checkResult === CHECK_FAILED) {
      state = 'unhealthy';
      if (s.operationalState === OP_STOPPED) seenDown.set(id, address);
    } else if (s.operationalState === OP_STOPPING) {
      state = 'draining';
    } else if (s.operationalState === OP_RUNNING && passed && s.checkStatus !== CHECK_NOT_YET) {
      state = fresh ? 'healthy' : 'initial';
      if (fresh) seenDown.delete(id);
      else reason = 'not checked since its address was set';
    } else {
      state = 'initial';
    }
    out.push({
      pool: backend.pool,
      address: s.addr,
      port: s.port,
      state,
      ...(state !== 'healthy' ? { reason } : {}),
    });
  }
  return out;
}
