// IR pools → backend models: the endpoint set from the endpoint conditions, the health check, and
// the transport options every server slot carries.

import type * as ir from '#core/ir/load-balancer.js';
import { closeEndpoints } from '#core/ir/topology.js';
import {
  type BackendHealthCheck,
  type BackendModel,
  type BackendRetry,
  type DesiredEndpoint,
  slotCountFor,
} from '../model.js';
import { backendName } from '../naming.js';
import type { BackendTlsPlan } from './backend-tls.js';
import { configWord, integer, ipLiteral } from './escape.js';
import { atField, FieldError } from './field-error.js';
import { retryBackendName } from './retry.js';

/** What a pool contributes to every backend rendered for it (one per frontend mode using it). */
export interface PoolPlan {
  pool: ir.BackendPool;
  endpoints: DesiredEndpoint[];
  healthCheck: BackendHealthCheck;
  /** Endpoints left out (bad address or port), with the reason. */
  skipped: { index: number; reason: string }[];
  /** BackendTLSPolicy: verified TLS to the endpoints (config/backend-tls.ts). */
  tls?: BackendTlsPlan;
}

/**
 * Throws FieldError when a health-check setting cannot be written safely. With `zone` (HAProxy's
 * own) and a pool that prefers close endpoints, the other zones' endpoints are backups.
 */
export function planPool(pool: ir.BackendPool, zone?: string): PoolPlan {
  const hc = pool.healthCheck;
  const healthCheck = atField('healthCheck', (): BackendHealthCheck => {
    const http = hc.protocol === 'HTTP' || hc.protocol === 'HTTPS';
    const seconds = (n: number, what: string) => Number(integer(Math.ceil(n), 1, 86_400, what));
    const check: BackendHealthCheck = {
      // gRPC health checking needs a gRPC client: HAProxy 2.6 checks the port (TCP connect) instead.
      type: http ? 'http' : 'tcp',
      intervalSeconds: seconds(hc.intervalSeconds, 'healthCheck.intervalSeconds'),
      timeoutSeconds: seconds(hc.timeoutSeconds, 'healthCheck.timeoutSeconds'),
      rise: Number(integer(hc.healthyThreshold, 1, 100, 'healthCheck.healthyThreshold')),
      fall: Number(integer(hc.unhealthyThreshold, 1, 100, 'healthCheck.unhealthyThreshold')),
      ssl: hc.protocol === 'HTTPS',
    };
    if (hc.port !== undefined) check.port = Number(integer(hc.port, 1, 65535, 'healthCheck.port'));
    if (http) {
      const path = hc.path ?? '/';
      if (!/^\/[\u0021-\u007e]*$/.test(path) || path.includes('\\'))
        throw new FieldError(
          'healthCheck.path',
          'health-check',
          'must be a path of printable ASCII without spaces',
        );
      configWord(path, 'healthCheck.path');
      check.path = path;
      const expect = hc.expectedStatuses ?? '200-399';
      if (!/^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$/.test(expect))
        throw new FieldError(
          'healthCheck.expectedStatuses',
          'health-check',
          'must be codes or ranges like 200-399',
        );
      check.expectStatus = expect;
    }
    return check;
  });
  const endpoints: DesiredEndpoint[] = [];
  const skipped: PoolPlan['skipped'] = [];
  const seen = new Set<string>();
  const close = zone === undefined ? undefined : closeEndpoints(pool, zone);
  pool.endpoints.forEach((e, index) => {
    // A pod not ready yet is health-checked without traffic (drain): its readiness gate waits for
    // HAProxy's check, which must therefore run before the pod is ready (docs/readiness-gates.md).
    const warming = !e.ready && !e.terminating && e.pod !== undefined;
    const state = e.ready ? 'ready' : (e.serving && e.terminating) || warming ? 'drain' : undefined;
    if (!state) return;
    try {
      ipLiteral(e.address, 'endpoint address');
      integer(e.port, 1, 65535, 'endpoint port');
    } catch (err) {
      skipped.push({ index, reason: (err as Error).message });
      return;
    }
    const key = `${e.address}|${e.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    const backup = close?.applies === true && !close.isClose(e);
    endpoints.push({ address: e.address, port: e.port, weight: 1, state, ...(backup ? { backup } : {}) });
  });
  endpoints.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  return { pool, endpoints, healthCheck, skipped };
}

/** The backend for `plan.pool` as used by a frontend of `mode`. */
export function backendModel(
  lbKey: string,
  lb: string,
  plan: PoolPlan,
  mode: 'http' | 'tcp',
  retry?: BackendRetry,
  slotMinimum?: number,
): BackendModel {
  const { pool, healthCheck: hc } = plan;
  const backups = plan.endpoints.filter((e) => e.backup).length;
  const options: string[] = [];
  // Without a BackendTLSPolicy, TLS to HTTPS endpoints is encrypted but not verified, as elsewhere.
  const tlsToEndpoints = mode === 'http' && (pool.protocol === 'HTTPS' || plan.tls !== undefined);
  if (tlsToEndpoints) options.push(...(plan.tls?.options ?? ['ssl', 'verify', 'none']));
  if (mode === 'http' && (pool.protocol === 'H2C' || pool.protocol === 'GRPC')) options.push('proto', 'h2');
  options.push('check', 'inter', `${hc.intervalSeconds}s`, 'rise', String(hc.rise), 'fall', String(hc.fall));
  if (hc.port !== undefined) options.push('port', String(hc.port));
  if (hc.ssl) options.push('check-ssl', ...(tlsToEndpoints ? [] : ['verify', 'none']));
  else if (tlsToEndpoints) options.push('no-check-ssl');
  return {
    lb,
    name: retry ? retryBackendName(lbKey, pool.id, retry) : backendName(lbKey, pool.id, mode),
    pool: pool.id,
    mode,
    serverOptions: options,
    healthCheck: hc,
    ...(retry ? { retry } : {}),
    slots: slotCountFor(plan.endpoints.filter((e) => !e.backup).length, slotMinimum),
    ...(backups > 0 ? { backupSlots: slotCountFor(backups, slotMinimum) } : {}),
    endpoints: plan.endpoints,
  };
}
