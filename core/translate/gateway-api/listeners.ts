import type { Certificate, ClientValidation, ListenerProtocol, ListenerTls } from '#core/ir/load-balancer.js';
import { GATEWAY_GROUP, type Listener, type RouteKind } from '#core/model/gateway-api.js';
import { condition, setCondition } from '#core/status/conditions.js';
import type { ListenerStatus } from '#core/status/types.js';
import type { TranslateContext } from '../context.js';
import { readTlsSecret } from '../tls-secret.js';
import { isReferenceAllowed } from './reference-grant.js';

/** The object a listener is declared in: its Gateway, or a ListenerSet attached to it. */
export interface ListenerOwner {
  kind: 'Gateway' | 'ListenerSet';
  namespace: string;
  name: string;
  generation: number | undefined;
}

export interface ListenerState {
  owner: ListenerOwner;
  spec: Listener;
  protocol: ListenerProtocol | undefined;
  /** Route kinds that may attach. */
  kinds: RouteKind[];
  tls?: ListenerTls;
  /** Client-certificate validation for its port (Gateway `spec.tls.frontend`), HTTPS only. */
  clientValidation?: ClientValidation;
  status: ListenerStatus;
  /** Routes may attach and the listener gets programmed. */
  usable: boolean;
}

const PROTOCOLS: Record<string, ListenerProtocol> = {
  HTTP: 'HTTP',
  HTTPS: 'HTTPS',
  TLS: 'TLS',
  TCP: 'TCP',
  UDP: 'UDP',
};

/** Route kinds each listener protocol can carry; the first ones are the default `supportedKinds`. */
const KINDS_FOR: Record<ListenerProtocol, { allowed: RouteKind[]; defaults: RouteKind[] }> = {
  HTTP: { allowed: ['HTTPRoute', 'GRPCRoute'], defaults: ['HTTPRoute', 'GRPCRoute'] },
  HTTPS: { allowed: ['HTTPRoute', 'GRPCRoute'], defaults: ['HTTPRoute', 'GRPCRoute'] },
  TLS: { allowed: ['TLSRoute', 'TCPRoute'], defaults: ['TLSRoute'] },
  TCP: { allowed: ['TCPRoute'], defaults: ['TCPRoute'] },
  UDP: { allowed: ['UDPRoute'], defaults: ['UDPRoute'] },
};

/**
 * Validates the listeners of one owner (a Gateway or a ListenerSet): protocol, allowed route kinds,
 * TLS certificates (cross-namespace only with a ReferenceGrant from that owner). Conflicts are
 * decided later, over the Gateway's merged list (resolveListenerConflicts).
 */
export function translateListeners(
  ctx: TranslateContext,
  owner: ListenerOwner,
  specs: readonly Listener[],
): ListenerState[] {
  const seenNames = new Set<string>();
  const states: ListenerState[] = [];
  for (const spec of specs) {
    if (seenNames.has(spec.name)) {
      ctx.notice({
        severity: 'error',
        code: 'DuplicateListener',
        source: { kind: owner.kind, namespace: owner.namespace, name: owner.name, section: spec.name },
        field: 'spec.listeners',
        message: `listener name ${spec.name} is used twice; the second is ignored`,
      });
      continue;
    }
    seenNames.add(spec.name);
    states.push(translateListener(ctx, owner, spec));
  }
  return states;
}

/**
 * Conflicts over a Gateway's merged listeners, in precedence order (the Gateway's own, then its
 * ListenerSets oldest first): the earlier listener wins, so adding a listener never breaks one that
 * already works. Usable listeners are then `Programmed=False/Pending` until the provider reports.
 */
export function resolveListenerConflicts(states: readonly ListenerState[]): void {
  markConflicts(states);
  for (const s of states) {
    if (s.usable) {
      setCondition(
        s.status.conditions,
        condition(
          'Programmed',
          false,
          'Pending',
          'Waiting for the provider to program the listener',
          s.owner.generation,
        ),
      );
    }
  }
}

function translateListener(ctx: TranslateContext, owner: ListenerOwner, spec: Listener): ListenerState {
  const generation = owner.generation;
  const conditions = [] as ListenerStatus['conditions'];
  const status: ListenerStatus = { name: spec.name, supportedKinds: [], attachedRoutes: 0, conditions };
  const protocol = PROTOCOLS[spec.protocol];
  if (!protocol) {
    conditions.push(
      condition(
        'Accepted',
        false,
        'UnsupportedProtocol',
        `protocol ${spec.protocol} is not supported`,
        generation,
      ),
      condition('Programmed', false, 'Invalid', 'The listener is not valid', generation),
      condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation),
      condition('Conflicted', false, 'NoConflicts', 'No conflicts', generation),
    );
    return { owner, spec, protocol: undefined, kinds: [], status, usable: false };
  }

  const problems: { reason: string; message: string }[] = [];
  const kinds = routeKinds(spec, protocol, problems);
  status.supportedKinds = kinds.map((kind) => ({ group: GATEWAY_GROUP, kind }));

  let usable = true;
  let acceptedReason: { reason: string; message: string } | undefined;
  let tls: ListenerTls | undefined;
  if (protocol === 'HTTPS' || protocol === 'TLS') {
    const mode = spec.tls?.mode ?? 'Terminate';
    if (protocol === 'HTTPS' && mode !== 'Terminate') {
      acceptedReason = { reason: 'UnsupportedValue', message: 'HTTPS listeners must terminate TLS' };
      usable = false;
    } else if (mode === 'Passthrough') {
      tls = { mode, certificates: [] };
    } else {
      const certificates = resolveCertificates(ctx, owner, spec, problems);
      if (certificates.length === 0) usable = false;
      tls = { mode, certificates };
    }
  }
  if (kinds.length === 0) usable = false;

  conditions.push(
    acceptedReason
      ? condition('Accepted', false, acceptedReason.reason, acceptedReason.message, generation)
      : condition('Accepted', true, 'Accepted', 'The listener is accepted', generation),
  );
  if (!usable)
    conditions.push(condition('Programmed', false, 'Invalid', 'The listener is not valid', generation));
  const first = problems[0];
  conditions.push(
    first
      ? condition('ResolvedRefs', false, first.reason, problems.map((p) => p.message).join('; '), generation)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation),
  );
  return { owner, spec, protocol, kinds, ...(tls ? { tls } : {}), status, usable };
}

function routeKinds(
  spec: Listener,
  protocol: ListenerProtocol,
  problems: { reason: string; message: string }[],
): RouteKind[] {
  const { allowed, defaults } = KINDS_FOR[protocol];
  const asked = spec.allowedRoutes?.kinds;
  if (!asked) return [...defaults];
  const kinds: RouteKind[] = [];
  for (const k of asked) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && (allowed as string[]).includes(k.kind)) {
      if (!kinds.includes(k.kind as RouteKind)) kinds.push(k.kind as RouteKind);
    } else {
      problems.push({
        reason: 'InvalidRouteKinds',
        message: `route kind ${group ? `${group}/` : ''}${k.kind} is not supported on ${protocol} listeners`,
      });
    }
  }
  return kinds;
}

function resolveCertificates(
  ctx: TranslateContext,
  owner: ListenerOwner,
  spec: Listener,
  problems: { reason: string; message: string }[],
): Certificate[] {
  const gwNamespace = owner.namespace;
  const refs = spec.tls?.certificateRefs ?? [];
  if (refs.length === 0)
    problems.push({
      reason: 'InvalidCertificateRef',
      message: 'TLS termination needs at least one certificateRef',
    });
  const certificates: Certificate[] = [];
  for (const ref of refs) {
    const group = ref.group ?? '';
    const kind = ref.kind ?? 'Secret';
    const namespace = ref.namespace ?? gwNamespace;
    if (group !== '' || kind !== 'Secret') {
      problems.push({
        reason: 'InvalidCertificateRef',
        message: `certificateRef ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Secret`,
      });
      continue;
    }
    if (
      !isReferenceAllowed(
        ctx,
        { group: GATEWAY_GROUP, kind: owner.kind, namespace: gwNamespace },
        { group: '', kind: 'Secret', namespace, name: ref.name },
      )
    ) {
      problems.push({
        reason: 'RefNotPermitted',
        message: `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
      });
      continue;
    }
    const secret = readTlsSecret(ctx, namespace, ref.name);
    if (!secret.ok) {
      problems.push({ reason: 'InvalidCertificateRef', message: secret.message });
      continue;
    }
    certificates.push({ ...secret.certificate, hostnames: spec.hostname ? [spec.hostname] : [] });
  }
  return certificates;
}

/** Listeners on one port must agree on the protocol; HTTP-family listeners must differ by hostname. */
function markConflicts(states: readonly ListenerState[]): void {
  const byPort = new Map<string, ListenerState[]>();
  for (const s of states) {
    if (!s.protocol) continue;
    const k = `${s.protocol === 'UDP' ? 'udp' : 'tcp'}/${s.spec.port}`;
    byPort.set(k, [...(byPort.get(k) ?? []), s]);
  }
  for (const group of byPort.values()) {
    const winner = group[0]!;
    const seenHosts = new Set<string>();
    for (const s of group) {
      const generation = s.owner.generation;
      let conflict: { reason: string; message: string } | undefined;
      if (s.protocol !== winner.protocol) {
        conflict = {
          reason: 'ProtocolConflict',
          message: `port ${s.spec.port} is already used by ${describeListener(winner)} with protocol ${winner.protocol}`,
        };
      } else if ((s.protocol === 'TCP' || s.protocol === 'UDP') && s !== winner) {
        conflict = {
          reason: 'ProtocolConflict',
          message: `port ${s.spec.port} is already used by ${s.protocol} ${describeListener(winner)}`,
        };
      } else {
        const host = s.spec.hostname ?? '';
        if (seenHosts.has(host)) {
          conflict = {
            reason: 'HostnameConflict',
            message: `another listener on port ${s.spec.port} has the same hostname ${host || '(none)'}`,
          };
        }
        seenHosts.add(host);
      }
      if (conflict) {
        setCondition(
          s.status.conditions,
          condition('Conflicted', true, conflict.reason, conflict.message, generation),
        );
        setCondition(
          s.status.conditions,
          condition(
            'Programmed',
            false,
            'Invalid',
            'The listener conflicts with another listener',
            generation,
          ),
        );
        s.usable = false;
      } else {
        setCondition(
          s.status.conditions,
          condition('Conflicted', false, 'NoConflicts', 'No conflicts', generation),
        );
      }
    }
  }
}

/** `listener web`, or `listener web of ListenerSet team-a/extra` for listeners not of the Gateway itself. */
function describeListener(l: ListenerState): string {
  return l.owner.kind === 'Gateway'
    ? `listener ${l.spec.name}`
    : `listener ${l.spec.name} of ListenerSet ${l.owner.namespace}/${l.owner.name}`;
}
