// HTTP/HTTPS listeners. Request flow, all in one frontend:
//   1. host = Host header, port stripped, lower-cased → virtual host id (exact map, then wildcard map,
//      then the no-hostname vhost if any). No fall-through to another vhost afterwards.
//   2. routes with headers/query/method/regex ("rule routes") first, in IR order, the first that
//      holds sets the target: header (exact) and method matches as patterns of the rules map
//      (map_reg over vhost, method, path and header block: rule-map.ts), regexes and query params as
//      one ACL rule each. Then the plain routes (path only): `<vhost><path>` in the exact map, else
//      the longest element-wise prefix (`map_beg` on `<vhost><prefix>/`). Rules first is the IR order
//      as long as no plain route comes before a rule route it overlaps (`rulesFirstHolds`) and the
//      maps agree with the IR order (`mapOrderHolds`); otherwise every route of that vhost is a rule
//      (patterns in IR order, or ACL rules if one needs them). A vhost's rule routes are all patterns
//      or all ACL rules, so the two never compete. Patterns and plain routes are added and removed
//      without a reload.
//   3. target = a backend name (plain forward) or a route tag whose rules apply filters, pick the
//      backend of a weighted split, redirect or answer; nothing → 404. A rule route that only
//      forwards sets its tag, and the targets map turns the tag into the backend; a split reads its
//      backends and weights from the targets and weights maps. So re-pointing any route or
//      re-weighting a split changes map contents only (no reload).
// A route is compiled on its own (http-route.ts); the frontend's state (http-frontend-state.ts)
// keeps the compiled routes and the maps between renders, so a render after one route changed
// costs in proportion to that change.

import type * as ir from '#core/ir/load-balancer.js';
import type { FrontendModel, MapModel } from '../model.js';
import { frontendName, mapName } from '../naming.js';
import type { FrontendScope } from './frontend-scope.js';
import { HttpFrontendState } from './http-frontend-state.js';
import { compileRoute, type MapNames } from './http-route.js';
import { RenderMemo } from './route-memo.js';

/** What the adapter keeps between renders (see route-memo.ts); the name the adapter knows it by. */
export type HttpRouteMemo = RenderMemo;

export function createHttpRouteMemo(): HttpRouteMemo {
  return new RenderMemo();
}

export function renderHttpFrontend(
  listener: ir.Listener,
  scope: FrontendScope,
): { frontend: FrontendModel; maps: MapModel[] } {
  const name = frontendName(scope.lbKey, listener.id);
  const maps: MapNames = {
    hosts: mapName(scope.lbKey, listener.id, 'hosts'),
    wildcards: mapName(scope.lbKey, listener.id, 'wildcard-hosts'),
    exact: mapName(scope.lbKey, listener.id, 'paths-exact'),
    prefix: mapName(scope.lbKey, listener.id, 'paths-prefix'),
    rules: mapName(scope.lbKey, listener.id, 'rules'),
    ruleHosts: mapName(scope.lbKey, listener.id, 'rule-hosts'),
    targets: mapName(scope.lbKey, listener.id, 'targets'),
    weights: mapName(scope.lbKey, listener.id, 'weights'),
  };
  // What a compile reads of the listener besides its id (in the names): protocol and port.
  const listenerKey = `${scope.lb}\u0000${listener.protocol}\u0000${listener.port}`;
  const kept = scope.routeMemo?.frontend(name);
  const state = kept?.listenerKey === listenerKey ? kept : new HttpFrontendState(name, maps, listenerKey);
  scope.routeMemo?.keepFrontend(name, state);
  return state.render(listener, scope, (route, backend) => compileRoute(listener, route, maps, backend));
}
