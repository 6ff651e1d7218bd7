// One HTTP route compiled for its frontend: its virtual host, tag, map entries, ACL lines and
// action rules, or the FieldError that leaves it out; with the warnings and the backend names it
// asked the load balancer for (a kept compile is reused only while those names stay the same).

import type * as ir from '#core/ir/load-balancer.js';
import { type BackendRetry, type MapModel, mapPath } from '../model.js';
import { routeAclPrefix, routeTag } from '../naming.js';
import { atField, FieldError } from './field-error.js';
import { backendRetry, backoffWarning } from './retry.js';
import { compileHttpAction } from './route-actions.js';
import {
  aclConditions,
  isPlain,
  normalizePrefix,
  type PathSet,
  type PlainPath,
  pathSet,
  plainPath,
  requestPath,
} from './route-match.js';
import { rulePattern } from './rule-map.js';
import { type Vhost, vhostOf } from './vhosts.js';

/** A backend name the compile asked for: the pool, the route's retry policy, and the answer. */
export interface BackendCall {
  pool: string | null;
  retry: BackendRetry | undefined;
  name: string | undefined;
}

/** What compiling one route gave. */
export interface RouteOutcome {
  /** The route's virtual host, when it was read before the compile stopped or ended. */
  vhost?: Vhost;
  compiled?: CompiledRoute;
  rejected?: FieldError;
  warnings: { feature: string; message: string }[];
  backends: BackendCall[];
}

export interface CompiledRoute {
  vhost: Vhost;
  tag: string;
  target: string;
  targets: MapModel['entries'];
  weights: MapModel['entries'];
  plain?: PlainPath;
  /** The paths the route can match: for the rules-first check. */
  paths: PathSet;
  acl: { lines: string[]; names: string[] };
  /** The route as a rules-map pattern; absent = it needs ACL rules (see rule-map.ts). */
  pattern?: string;
  request: string[];
  response: string[];
  headerBytes: number;
}

export type MapNames = Record<
  'hosts' | 'wildcards' | 'exact' | 'prefix' | 'rules' | 'ruleHosts' | 'targets' | 'weights',
  string
>;

/** The compiled route, or why it is left out; with the warnings and backend names it asked for. */
export function compileRoute(
  listener: ir.Listener,
  route: ir.Route,
  maps: MapNames,
  backend: (pool: string | null, retry?: BackendRetry) => string | undefined,
): RouteOutcome {
  const outcome: RouteOutcome = { warnings: [], backends: [] };
  try {
    const vhost = vhostOf(route);
    // A vhost stays even when its routes are rejected: its requests get 404, not another host's routes.
    outcome.vhost = vhost;
    const tag = routeTag(listener.id, route.id);
    const p = route.match.path;
    const prefix =
      p === undefined
        ? ''
        : p.type === 'Prefix'
          ? normalizePrefix(atField('match.path.value', () => requestPath(p.value)))
          : undefined;
    const retry = route.retry ? backendRetry(route.retry) : undefined;
    const action = compileHttpAction(route, {
      listener,
      tag,
      backend: (pool) => {
        const name = backend(pool, retry);
        outcome.backends.push({ pool, retry, name });
        return name;
      },
      prefix,
      maps: { targets: mapPath(maps.targets), weights: mapPath(maps.weights) },
    });
    const backoff = route.retry ? backoffWarning(route.retry) : undefined;
    if (backoff) outcome.warnings.push({ feature: 'retry/backoff', message: backoff });
    const pattern = rulePattern(vhost.id, route);
    outcome.compiled = {
      vhost,
      tag,
      target: action.target ?? tag,
      targets: action.targets,
      weights: action.weights,
      ...(isPlain(route) ? { plain: plainPath(route) } : {}),
      paths: pathSet(route),
      acl: aclConditions(route, routeAclPrefix(listener.id, route.id)),
      ...(pattern !== undefined ? { pattern } : {}),
      request: action.request,
      response: action.response,
      headerBytes: Math.max(action.headerBytes.request, action.headerBytes.response),
    };
  } catch (err) {
    if (err instanceof FieldError) outcome.rejected = err;
    else throw err;
  }
  return outcome;
}
