import { lbKey } from '#core/ir/lb-key.js';
import { GATEWAY_GROUP, type ParentReference } from '#core/model/gateway-api.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import { condition } from '#core/status/conditions.js';
import type { TranslateContext } from '../context.js';
import type { GatewayState } from './attach.js';
import type { ClassState } from './gateway-class.js';

const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/**
 * Objects that failed their schema still get a status where Portico can tell they are its own: a
 * Gateway of a Portico class (whose load balancer is then held as it is), or a route whose parentRefs
 * name Portico Gateways. Only plain strings are read from the raw object.
 */
export function reportRejectedGatewayApiObjects(
  ctx: TranslateContext,
  rejected: readonly RejectedObject[],
  classes: ReadonlyMap<string, ClassState>,
  gateways: ReadonlyMap<string, GatewayState>,
): void {
  for (const r of rejected) {
    if (!r.name) continue;
    const raw = r.raw as {
      metadata?: { generation?: unknown };
      spec?: { gatewayClassName?: unknown; parentRefs?: unknown };
    };
    const generation = typeof raw.metadata?.generation === 'number' ? raw.metadata.generation : undefined;
    const message = `${r.field}: ${r.message}`;
    const namespace = r.namespace ?? 'default';
    if (r.kind === 'Gateway') {
      const className = raw.spec?.gatewayClassName;
      if (typeof className !== 'string' || !classes.has(className)) continue;
      const key = lbKey(ctx.options.cluster, 'Gateway', namespace, r.name);
      ctx.held.push({ key, reason: `the Gateway is invalid: ${message}` });
      ctx.statuses.push({
        kind: 'Gateway',
        namespace,
        name: r.name,
        ...(generation !== undefined ? { generation } : {}),
        loadBalancers: [key],
        status: {
          conditions: [
            condition(
              'Accepted',
              false,
              'Invalid',
              `The Gateway is invalid, the last valid version stays programmed: ${message}`,
              generation,
            ),
            condition('Programmed', false, 'Invalid', 'The Gateway is invalid', generation),
          ],
          listeners: [],
        },
      });
    } else if (ROUTE_KINDS.has(r.kind)) {
      const parents = (Array.isArray(raw.spec?.parentRefs) ? raw.spec.parentRefs : []).flatMap(
        (p: unknown) => {
          const ref = plainParentRef(p);
          if (!ref || (ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway')
            return [];
          const gateway = gateways.get(`${ref.namespace ?? namespace}/${ref.name}`);
          return gateway ? [{ ref, gateway }] : [];
        },
      );
      if (parents.length === 0) continue;
      ctx.statuses.push({
        kind: r.kind as 'HTTPRoute',
        namespace,
        name: r.name,
        ...(generation !== undefined ? { generation } : {}),
        loadBalancers: [...new Set(parents.map((p) => p.gateway.key))].sort(),
        status: {
          parents: parents.map((p) => ({
            parentRef: p.ref,
            controllerName: ctx.options.controllerName,
            conditions: [
              condition(
                'Accepted',
                false,
                'UnsupportedValue',
                `The route is invalid: ${message}`,
                generation,
              ),
            ],
          })),
        },
      });
    }
  }
}

function plainParentRef(p: unknown): ParentReference | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const o = p as Record<string, unknown>;
  const str = (k: string) =>
    typeof o[k] === 'string' && (o[k] as string).length <= 253 ? (o[k] as string) : undefined;
  const name = str('name');
  if (!name) return undefined;
  const ref: ParentReference = { name };
  for (const k of ['group', 'kind', 'namespace', 'sectionName'] as const) {
    const v = str(k);
    if (v !== undefined) ref[k] = v;
  }
  if (typeof o.port === 'number' && Number.isInteger(o.port)) ref.port = o.port;
  return ref;
}
