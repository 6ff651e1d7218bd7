// TCP listeners (one route: straight to its backend) and TLS listeners (routes chosen by SNI: from
// the ClientHello for passthrough, from the handshake for termination). SNI routing uses the same
// host precedence as HTTP (exact, longest wildcard, no hostname); within a host the first route wins.

import type * as ir from '#core/ir/load-balancer.js';
import { type FrontendModel, type MapModel, mapPath } from '../model.js';
import { frontendName, HELPER_BACKENDS, mapName, routeTag } from '../naming.js';
import { FieldError } from './field-error.js';
import type { FrontendScope } from './frontend-scope.js';
import { compileTcpAction } from './route-actions.js';
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
    bind: { address: scope.address, port: listener.port },
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

  // TLS: SNI → target.
  const maps = {
    hosts: mapName(scope.lbKey, listener.id, 'sni'),
    wildcards: mapName(scope.lbKey, listener.id, 'wildcard-sni'),
  };
  const winners = new Map<string, { vhost: Vhost; target: string }>();
  const rules: string[] = [];
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
    winners.set(vhost.id, { vhost, target: c.target });
    rules.push(...c.rules);
  }
  const chosen = [...winners.values()];
  const targetOf = new Map(chosen.map((w) => [w.vhost.id, w.target]));
  const hosts = hostEntries(
    chosen.map((w) => w.vhost),
    (v) => targetOf.get(v.id)!,
  );
  const fallback = chosen.find((w) => w.vhost.hostname === undefined);
  const passthrough = listener.tls?.mode !== 'Terminate';
  const sni = passthrough
    ? [
        'tcp-request inspect-delay 5s',
        'tcp-request content set-var(txn.sni) req.ssl_sni,lower if { req.ssl_hello_type 1 }',
      ]
    : ['tcp-request content set-var(txn.sni) ssl_fc_sni,lower'];
  return {
    frontend: {
      ...base,
      maps: Object.values(maps).sort(),
      backends: [...backends].sort(),
      rules: [
        ...sni,
        `tcp-request content set-var(txn.rt) var(txn.sni),map_str(${mapPath(maps.hosts)})`,
        `tcp-request content set-var(txn.rt) var(txn.sni),map_reg(${mapPath(maps.wildcards)}) if !{ var(txn.rt) -m found }`,
        ...(fallback
          ? [`tcp-request content set-var(txn.rt) str(${fallback.target}) if !{ var(txn.rt) -m found }`]
          : []),
        ...rules,
        ...DISPATCH,
      ],
      defaultBackend: HELPER_BACKENDS.tcpReject,
    },
    maps: [
      { lb: scope.lb, name: maps.hosts, match: 'str', entries: hosts.exact },
      { lb: scope.lb, name: maps.wildcards, match: 'reg', entries: hosts.wildcard },
    ],
  };
}
