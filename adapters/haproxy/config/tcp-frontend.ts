// TCP listeners (one route: straight to its backend) and TLS listeners (routes chosen by SNI: from
// the ClientHello for passthrough, from the handshake for termination). SNI routing uses the same
// host precedence as HTTP (exact, longest wildcard, no hostname); within a host the first route wins.

import type * as ir from '#core/ir/load-balancer.js';
import { type FrontendModel, type MapModel, mapPath } from '../model.js';
import { frontendName, HELPER_BACKENDS, mapName, routeTag, tlsTerminatorName } from '../naming.js';
import { FieldError } from './field-error.js';
import type { FrontendScope } from './frontend-scope.js';
import { compileTcpAction } from './route-actions.js';
import { mixesTlsModes, routeTlsMode } from './tls-mixed.js';
import { hostEntries, type Vhost, vhostOf } from './vhosts.js';

const DISPATCH = [
  'use_backend %[var(txn.be)] if { var(txn.be) -m found }',
  'use_backend %[var(txn.rt)] if { var(txn.rt) -m found } !{ var(txn.rt) -m beg rt_ }',
];

export function renderTcpFrontend(
  listener: ir.Listener,
  scope: FrontendScope,
): { frontend: FrontendModel; maps: MapModel[] } {
  const backends = new Set<string>();
  const backend = (pool: string | null) => {
    const be = scope.backend(pool, 'tcp');
    if (be) backends.add(be);
    return be;
  };
  const compile = (route: ir.Route) => {
    try {
      const action = compileTcpAction(route, { tag: routeTag(listener.id, route.id), backend });
      return { target: action.target ?? routeTag(listener.id, route.id), rules: action.request };
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      scope.rejectRoute(listener, route, err);
      return undefined;
    }
  };
  const base = {
    lb: scope.lb,
    listener: listener.id,
    name: frontendName(scope.lbKey, listener.id),
    bind: {
      address: scope.address,
      port: listener.port,
      ...(scope.address6 !== undefined ? { address6: scope.address6 } : {}),
    },
    mode: 'tcp' as const,
    ...(scope.tls ? { tls: scope.tls } : {}),
    sourceRanges: scope.sourceRanges,
  };

  if (listener.protocol === 'TCP') {
    const route = listener.routes[0];
    const c = route ? compile(route) : undefined;
    const direct = c !== undefined && !c.target.startsWith('rt_');
    return {
      frontend: {
        ...base,
        maps: [],
        backends: [...backends].sort(),
        rules:
          c && !direct
            ? [`tcp-request content set-var(txn.rt) str(${c.target})`, ...c.rules, DISPATCH[0]!]
            : [],
        defaultBackend: direct ? c.target : HELPER_BACKENDS.tcpReject,
      },
      maps: [],
    };
  }

  // TLS: SNI → target. A listener mixing modes routes on the ClientHello and hands the terminated
  // names to its terminator (config/tls-mixed.ts), which routes them again on the handshake's SNI.
  const mixed = mixesTlsModes(listener);
  const terminator = tlsTerminatorName(base.name);
  const winners = new Map<string, { vhost: Vhost; target: string; terminated: boolean }>();
  const rules = { outer: [] as string[], terminated: [] as string[] };
  for (const route of listener.routes) {
    let vhost: Vhost;
    try {
      vhost = vhostOf(route);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      scope.rejectRoute(listener, route, err);
      continue;
    }
    if (winners.has(vhost.id)) continue; // shadowed: an earlier route has this host
    const c = compile(route);
    if (!c) continue;
    const terminated = mixed && routeTlsMode(listener, route) === 'Terminate';
    winners.set(vhost.id, { vhost, target: c.target, terminated });
    (terminated ? rules.terminated : rules.outer).push(...c.rules);
  }
  const chosen = [...winners.values()];
  const outer = sniRouting(
    scope,
    listener,
    chosen.map((w) => (w.terminated ? { ...w, target: terminator } : w)),
    'sni',
    listener.tls?.mode === 'Terminate' && !mixed
      ? 'tcp-request content set-var(txn.sni) ssl_fc_sni,lower'
      : [
          'tcp-request inspect-delay 5s',
          'tcp-request content set-var(txn.sni) req.ssl_sni,lower if { req.ssl_hello_type 1 }',
        ],
  );
  const tls = scope.tls;
  if (mixed && tls?.mode !== 'Terminate')
    throw new Error(`listener ${listener.id}: mixed TLS modes without certificates`);
  const inner = mixed
    ? sniRouting(
        scope,
        listener,
        chosen.filter((w) => w.terminated),
        'terminated-sni',
        'tcp-request content set-var(txn.sni) ssl_fc_sni,lower',
      )
    : undefined;
  return {
    frontend: {
      ...base,
      ...(mixed ? { tls: { mode: 'Passthrough' as const } } : {}),
      maps: [...outer.maps, ...(inner?.maps ?? [])].map((m) => m.name).sort(),
      backends: [...backends].sort(),
      rules: [...outer.rules, ...rules.outer, ...DISPATCH],
      defaultBackend: HELPER_BACKENDS.tcpReject,
      ...(inner && tls?.mode === 'Terminate'
        ? {
            terminator: {
              name: terminator,
              tls,
              rules: [...inner.rules, ...rules.terminated, ...DISPATCH],
            },
          }
        : {}),
    },
    maps: [...outer.maps, ...(inner?.maps ?? [])],
  };
}

/**
 * The SNI lookup of one frontend: exact names (map_str), else the longest wildcard (map_reg), else
 * the route without hostname; `txn.rt` gets the winner's target.
 */
function sniRouting(
  scope: FrontendScope,
  listener: ir.Listener,
  chosen: readonly { vhost: Vhost; target: string }[],
  role: string,
  readSni: string | string[],
): { rules: string[]; maps: MapModel[] } {
  const names = {
    hosts: mapName(scope.lbKey, listener.id, role),
    wildcards: mapName(scope.lbKey, listener.id, `wildcard-${role}`),
  };
  const targetOf = new Map(chosen.map((w) => [w.vhost.id, w.target]));
  const hosts = hostEntries(
    chosen.map((w) => w.vhost),
    (v) => targetOf.get(v.id)!,
  );
  const fallback = chosen.find((w) => w.vhost.hostname === undefined);
  return {
    rules: [
      ...(typeof readSni === 'string' ? [readSni] : readSni),
      `tcp-request content set-var(txn.rt) var(txn.sni),map_str(${mapPath(names.hosts)})`,
      `tcp-request content set-var(txn.rt) var(txn.sni),map_reg(${mapPath(names.wildcards)}) if !{ var(txn.rt) -m found }`,
      ...(fallback
        ? [`tcp-request content set-var(txn.rt) str(${fallback.target}) if !{ var(txn.rt) -m found }`]
        : []),
    ],
    maps: [
      { lb: scope.lb, name: names.hosts, match: 'str', entries: hosts.exact },
      { lb: scope.lb, name: names.wildcards, match: 'reg', entries: hosts.wildcard },
    ],
  };
}
