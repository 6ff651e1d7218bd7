// targetHealth: how each backend service's health check sees the endpoints of its NEG backends, for
// pod readiness gates. Reads only, by the names render gives the backend services (never a project
// scan): one backendServices.get (ownership, and the NEGs that really are its backends), then one
// getHealth per NEG backend. A read that fails for a passing reason (rate limit, 5xx, the network,
// after the adapter's retries) leaves its endpoints out and the answer `complete: false`.

import type { LbKey } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import { RetryableError, type TargetHealth, type TargetHealthReport } from '../types.js';
import { scopeOf } from './internal/apply-context.js';
import { type GcpCalls, invoke, type Json } from './internal/calls.js';
import { clientFor, getResource } from './internal/collections.js';
import { NotFoundError } from './internal/errors.js';
import { ownedBy } from './internal/ownership.js';
import type { GcpKinds } from './model.js';

export interface TargetHealthOptions {
  key: LbKey;
  /** When set, only backend services marked with this cluster count as owned. */
  cluster?: string;
  /** What render produced for the load balancer: its backend services say which pool each stands for. */
  desired: readonly DesiredResource<GcpKinds>[];
}

export async function targetHealthGcp(ctx: GcpCalls, opts: TargetHealthOptions): Promise<TargetHealthReport> {
  let complete = true;
  const partial = (err: unknown): undefined => {
    if (!(err instanceof RetryableError)) throw err;
    complete = false;
    return undefined;
  };

  const targets: TargetHealth[] = [];
  // A passthrough NLB's backend service (TCP, UDP) checks nodes (GCE_VM_IP), never a pod; a pool
  // that an Application LB's backend service (HTTP, HTTPS) also serves is checked pod by pod there.
  const byPods = new Set<string>();
  const byNodes = new Set<string>();
  for (const r of opts.desired)
    if (r.kind === 'backend-service' && r.value.pool !== undefined)
      (r.value.protocol === 'TCP' || r.value.protocol === 'UDP' ? byNodes : byPods).add(r.value.pool);
  const uncheckedPools = [...byNodes]
    .filter((pool) => !byPods.has(pool))
    .sort()
    .map((pool) => ({ pool, reason: NODES_ONLY }));
  for (const r of opts.desired) {
    if (r.kind !== 'backend-service' || r.value.pool === undefined) continue;
    const { pool, name } = r.value;
    const scope = scopeOf(r.value);
    // Not there (not created yet) or not ours: no targets of this pool to report.
    const service = await getResource(ctx, 'backend-service', name, scope).catch(partial);
    if (!service || !ownedBy(service.description, opts.key, opts.cluster)) continue;
    const { client, request } = clientFor('backend-service', scope);
    // The address the proxies reach the pods by is the one the pool's endpoints carry.
    const byIpv6 = service.ipAddressSelectionPolicy === 'IPV6_ONLY';
    for (const backend of (service.backends as Json[] | undefined) ?? []) {
      const health = await invoke<Json>(ctx, client, 'getHealth', {
        ...request,
        backendService: name,
        resourceGroupReferenceResource: { group: backend.group },
      }).catch((err: unknown) => (err instanceof NotFoundError ? undefined : partial(err)));
      for (const status of (health?.healthStatus as Json[] | undefined) ?? [])
        targets.push(targetOf(pool, status, byIpv6));
    }
  }
  targets.sort(
    (a, b) => a.pool.localeCompare(b.pool) || a.address.localeCompare(b.address) || a.port - b.port,
  );
  return { targets, complete, ...(uncheckedPools.length > 0 ? { uncheckedPools } : {}) };
}

const NODES_ONLY =
  'a passthrough Network Load Balancer health-checks the nodes (GCE_VM_IP endpoints), not each pod';

/** GCE_VM_IP endpoints (passthrough NLBs: a node, no port) read port 0. */
function targetOf(pool: string, status: Json, byIpv6: boolean): TargetHealth {
  const healthState = typeof status.healthState === 'string' ? status.healthState : undefined;
  const state = stateOf(healthState);
  const v4 = typeof status.ipAddress === 'string' && status.ipAddress !== '' ? status.ipAddress : undefined;
  const v6 =
    typeof status.ipv6Address === 'string' && status.ipv6Address !== '' ? status.ipv6Address : undefined;
  return {
    pool,
    address: (byIpv6 ? (v6 ?? v4) : (v4 ?? v6)) ?? '',
    port: typeof status.port === 'number' ? status.port : 0,
    state,
    ...(healthState !== undefined && state !== 'healthy' ? { reason: healthState } : {}),
  };
}

/** Compute's health states as readiness sees them; TIMEOUT is a failed probe. */
export function stateOf(healthState: string | undefined): TargetHealth['state'] {
  switch (healthState) {
    case 'HEALTHY':
      return 'healthy';
    case 'UNHEALTHY':
    case 'TIMEOUT':
      return 'unhealthy';
    case 'DRAINING':
      return 'draining';
    default:
      return 'unknown';
  }
}
