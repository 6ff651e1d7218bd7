// Health checks: one probe sub-object by type. Replaced whole with `update` (PUT; health checks have
// no fingerprint).

import { pick, regionOf, toApi } from '../internal/api-values.js';
import { type ApplyContext, scopeOf, type UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import type { HealthCheckValue } from '../model.js';

const PROBES = ['httpHealthCheck', 'httpsHealthCheck', 'tcpHealthCheck', 'grpcHealthCheck'] as const;

export function healthCheckFromApi(api: Json): HealthCheckValue {
  const v = pick(api, [
    'name',
    'description',
    'type',
    'checkIntervalSec',
    'timeoutSec',
    'healthyThreshold',
    'unhealthyThreshold',
  ]);
  // Only the probe fields Portico sets (GCP adds proxyHeader and a default port).
  for (const key of PROBES) {
    const probe = pick(api, [key])[key] as Json | undefined;
    if (probe) v[key] = pick(probe, ['portSpecification', 'port', 'requestPath']);
  }
  return { ...(v as unknown as HealthCheckValue), ...regionOf(api) };
}

export async function updateHealthCheck(ac: ApplyContext, c: UpdateOf<'health-check'>): Promise<void> {
  await mutateResource(ac.calls, 'health-check', c.after.name, scopeOf(c.after), 'update', {
    healthCheckResource: toApi(c.after),
  });
}
