import { type AnyRoute, GATEWAY_GROUP, type Gateway, type ParentReference } from '#core/model/gateway-api.js';
import { condition } from '#core/status/conditions.js';
import type { StatusCondition } from '#core/status/types.js';
import type { TranslateContext } from '../context.js';
import { matchesLabelSelector } from '../label-selector.js';
import { intersectHostnames } from './hostnames.js';
import type { ListenerSetState } from './listener-sets.js';
import type { ListenerState } from './listeners.js';

export interface GatewayState {
  gateway: Gateway;
  key: string;
  /** The Gateway is accepted: its class is Portico's and valid, and its spec could be honoured. */
  accepted: boolean;
  /** Why the Gateway is not accepted, when it is not. */
  notAccepted?: StatusCondition;
  /** `ResolvedRefs=False` of the Gateway itself (its backend client certificate could not be read). */
  unresolved?: StatusCondition;
  /** The Gateway's own listeners first, then those of its accepted ListenerSets. */
  listeners: ListenerState[];
  /** Some HTTPS listener admits clients without a valid certificate (`AllowInsecureFallback`). */
  insecureFrontendValidation?: boolean;
  /** ListenerSets naming this Gateway, by `namespace/name`. */
  listenerSets: Map<string, ListenerSetState>;
}

export interface Attachment {
  listener: ListenerState;
  /** Effective hostnames on this listener; `undefined` = any host. */
  hostnames: (string | undefined)[];
}

export interface ParentAttachment {
  parentRef: ParentReference;
  gateway: GatewayState;
  attachments: Attachment[];
  /** `Accepted` for this parent. */
  accepted: StatusCondition;
}

/**
 * Resolves a route's parentRefs against Portico's Gateways. A parentRef to anything else (another
 * controller's Gateway, a Service for a mesh, a Gateway that does not exist) is not ours to report on
 * and yields nothing: its status belongs to whoever owns that parent.
 */
export function attachRoute(
  ctx: TranslateContext,
  route: AnyRoute,
  gateways: ReadonlyMap<string, GatewayState>,
  listenerSetParents: ReadonlyMap<string, ListenerSetParent>,
): ParentAttachment[] {
  const routeNs = route.metadata.namespace!;
  const generation = route.metadata.generation;
  const routeHostnames: readonly string[] =
    route.kind === 'HTTPRoute' || route.kind === 'GRPCRoute' || route.kind === 'TLSRoute'
      ? (route.spec.hostnames ?? [])
      : [];
  const usesHostnames = route.kind !== 'TCPRoute' && route.kind !== 'UDPRoute';
  const results: ParentAttachment[] = [];
  for (const parentRef of route.spec.parentRefs ?? []) {
    if ((parentRef.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
    const parentKind = parentRef.kind ?? 'Gateway';
    if (parentKind !== 'Gateway' && parentKind !== 'ListenerSet') continue;
    const parentName = `${parentRef.namespace ?? routeNs}/${parentRef.name}`;
    const gateway =
      parentKind === 'Gateway' ? gateways.get(parentName) : listenerSetParents.get(parentName)?.gateway;
    if (!gateway) continue;
    const gatewayName = `${gateway.gateway.metadata.namespace}/${gateway.gateway.metadata.name}`;
    const reject = (reason: string, message: string) =>
      results.push({
        parentRef,
        gateway,
        attachments: [],
        accepted: condition('Accepted', false, reason, message, generation),
      });
    if (!gateway.accepted) {
      reject('Pending', `Gateway ${gatewayName} is not accepted`);
      continue;
    }
    if (parentKind === 'ListenerSet' && !listenerSetParents.get(parentName)?.accepted) {
      reject('Pending', `ListenerSet ${parentName} is not accepted by Gateway ${gatewayName}`);
      continue;
    }
    // A Gateway parent means the Gateway's own listeners; a ListenerSet parent, that set's.
    const [ownerNs, ownerName] = parentKind === 'Gateway' ? gatewayName.split('/') : parentName.split('/');
    let candidates = gateway.listeners.filter(
      (l) => l.owner.kind === parentKind && l.owner.namespace === ownerNs && l.owner.name === ownerName,
    );
    if (parentRef.sectionName !== undefined)
      candidates = candidates.filter((l) => l.spec.name === parentRef.sectionName);
    if (parentRef.port !== undefined) candidates = candidates.filter((l) => l.spec.port === parentRef.port);
    if (candidates.length === 0) {
      reject(
        'NoMatchingParent',
        `${parentKind} ${parentName} has no listener matching ${describeSection(parentRef)}`,
      );
      continue;
    }
    const allowed = candidates.filter(
      (l) => l.usable && l.kinds.includes(route.kind) && namespaceAllowed(ctx, l, routeNs),
    );
    if (allowed.length === 0) {
      reject(
        'NotAllowedByListeners',
        `no listener of ${parentKind} ${parentName}${describeSection(parentRef, ' matching ')} allows this ${route.kind} from namespace ${routeNs}`,
      );
      continue;
    }
    const attachments: Attachment[] = [];
    for (const listener of allowed) {
      const hostnames = usesHostnames
        ? intersectHostnames(listener.spec.hostname, routeHostnames)
        : [undefined];
      if (hostnames.length > 0) attachments.push({ listener, hostnames });
    }
    if (attachments.length === 0) {
      reject(
        'NoMatchingListenerHostname',
        `no listener of ${parentKind} ${parentName} has a hostname matching the route's hostnames`,
      );
      continue;
    }
    results.push({
      parentRef,
      gateway,
      attachments,
      accepted: condition('Accepted', true, 'Accepted', 'Route is accepted', generation),
    });
  }
  return results;
}

/** `Same` is relative to the listener's owner: the Gateway, or the ListenerSet that declares it. */
function namespaceAllowed(ctx: TranslateContext, listener: ListenerState, routeNs: string): boolean {
  const from = listener.spec.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === listener.owner.namespace;
  const selector = listener.spec.allowedRoutes?.namespaces?.selector;
  if (!selector) return false;
  return matchesLabelSelector(selector, ctx.namespaces.get(routeNs)?.metadata.labels ?? {});
}

export interface ListenerSetParent {
  gateway: GatewayState;
  accepted: boolean;
}

/** Every ListenerSet of Portico's Gateways, by `namespace/name`, with its Gateway (for parentRefs). */
export function listenerSetParents(
  gateways: ReadonlyMap<string, GatewayState>,
): Map<string, ListenerSetParent> {
  const index = new Map<string, ListenerSetParent>();
  for (const gateway of gateways.values())
    for (const [name, ls] of gateway.listenerSets) index.set(name, { gateway, accepted: ls.accepted });
  return index;
}

function describeSection(p: ParentReference, prefix = ''): string {
  const parts = [
    p.sectionName !== undefined ? `sectionName ${p.sectionName}` : '',
    p.port !== undefined ? `port ${p.port}` : '',
  ].filter(Boolean);
  return parts.length ? `${prefix}${parts.join(' and ')}` : '';
}
