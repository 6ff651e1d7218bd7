// One HTTP frontend's render, kept up to date route by route (the routing itself is described in
// http-frontend.ts). The IR keeps an unchanged route as the same object from one translation to
// the next, so a render walks the listener's routes beside the last render's (a kept route at its
// place is one pointer compare), and only routes added, removed or changed (or whose backend names
// changed) touch the state: their virtual hosts are worked out again (a host's plain routes key by
// key: plain-paths.ts), their map entries are inserted into or removed from lists kept sorted, and
// only the maps and the frontend whose content changed are new objects; the others are the very
// objects the last render returned. The first render, and one after kept routes changed their
// order, a route id listed twice, most routes new, or another protocol or port (a new state),
// builds everything again, reusing the compile of each route whose IR content is the same
// (routeKey). Without a memo the same code runs on a new state.

import type * as ir from '#core/ir/load-balancer.js';
import type { BackendRetry, FrontendModel, MapModel } from '../model.js';
import { HELPER_BACKENDS } from '../naming.js';
import { mapKey, mapValue } from './escape.js';
import type { FrontendScope } from './frontend-scope.js';
import type { CompiledRoute, MapNames, RouteOutcome } from './http-route.js';
import { misdirectedRules } from './misdirected.js';
import { type PlainKeys, PlainPaths } from './plain-paths.js';
import { routeKey } from './route-memo.js';
import { ruleMapRules } from './rule-map.js';
import { byKey, SortedList } from './sorted-list.js';
import {
  NO_CONTRIBUTION,
  type RouteParts,
  routeParts,
  type VhostContribution,
  vhostContribution,
} from './vhost-contribution.js';
import { type Vhost, wildcardPattern } from './vhosts.js';

type Entry = MapModel['entries'][number];

/** Compiles one route; `backend` asks the load balancer for a backend name (and registers it). */
export type CompileRoute = (
  route: ir.Route,
  backend: (pool: string | null, retry?: BackendRetry) => string | undefined,
) => RouteOutcome;

interface RouteEntry {
  route: ir.Route;
  /**
   * Its place among the listener's routes: the IR order (not an index, so that the kept routes keep
   * theirs when routes are added or removed before them).
   */
  pos: number;
  outcome: RouteOutcome;
  vhost?: VhostState;
  /** Its targets and weights entries, as added to the sorted lists. */
  targets: Entry[];
  weights: Entry[];
  uses: BackendUse[];
  /** What it adds to its vhost's maps and rules (vhostContribution), when compiled. */
  parts?: RouteParts;
}

/** One backend name asked for (a pool and a retry policy), and the routes that asked. */
interface BackendUse {
  key: string;
  pool: string | null;
  retry: BackendRetry | undefined;
  name: string | undefined;
  routes: Set<RouteEntry>;
}

/** A virtual host, its routes in IR order, and what it adds to the maps and rules. */
interface VhostState {
  vhost: Vhost;
  routes: RouteEntry[];
  /** Its plain routes, indexed (plain-paths.ts), and how many compiled routes are not plain. */
  paths: PlainPaths<RouteEntry>;
  ruleRoutes: number;
  /**
   * `plain`: only plain routes that the path maps serve in IR order; its exact and prefix entries
   * are the winners of `paths`, updated key by key (`winners`). `computed`: vhostContribution's.
   */
  mode: 'plain' | 'computed';
  winners: { exact: Map<string, Entry>; prefix: Map<string, Entry> };
  /** In the hosts maps (or counted as the default vhost). */
  listed: boolean;
  hostEntry?: Entry;
  wildcardItem?: { vhost: Vhost; entry: Entry };
  exact: Entry[];
  prefix: Entry[];
  /** `tag → backend` of its rule routes that only forward. */
  targets: Entry[];
  rules: Entry[];
  ruleHost?: Entry;
  acl: string[];
}

/** Exact names sorted; wildcards longest suffix first, single-label first for the same suffix. */
const byWildcardPrecedence = (x: { vhost: Vhost }, y: { vhost: Vhost }) => {
  const a = x.vhost;
  const b = y.vhost;
  return (
    b.hostname!.length - a.hostname!.length ||
    (a.wildcard === b.wildcard ? 0 : a.wildcard === 'single-label' ? -1 : 1) ||
    (a.hostname! < b.hostname! ? -1 : a.hostname! > b.hostname! ? 1 : 0)
  );
};

/** The same entries in the same order (mostly the very objects: compared without reading them). */
const sameEntries = (a: readonly Entry[], b: readonly Entry[]) =>
  a.length === b.length && a.every((e, i) => e === b[i] || (e.key === b[i]!.key && e.value === b[i]!.value));
const sameLines = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((l, i) => l === b[i]);

export class HttpFrontendState {
  readonly #name: string;
  readonly #maps: MapNames;
  /** lb, protocol and port: the listener fields a compile reads (with its id, in the name). */
  readonly #listenerKey: string;
  #entries = new Map<ir.Route, RouteEntry>();
  /** The listener's routes at the last render. */
  #routes: readonly ir.Route[] = [];
  #ids = new Map<string, number>();
  /**
   * Route ids listed more than once (invalid IR, or one route object listed twice): their equal map
   * keys must be in the order a full build gives, so every render builds everything again.
   */
  #duplicateIds = 0;
  #uses = new Map<string, BackendUse>();
  /** Backend names and how many uses name them. */
  #backends = new Map<string, number>();
  #backendsChanged = true;
  #vhosts = new Map<string, VhostState>();
  #dirtyVhosts = new Set<VhostState>();
  #defaultVhosts = 0;
  #hosts = new SortedList<Entry>(byKey);
  #wildcards = new SortedList<{ vhost: Vhost; entry: Entry }>(byWildcardPrecedence);
  #exact = new SortedList<Entry>(byKey);
  #prefix = new SortedList<Entry>(byKey);
  #ruleHosts = new SortedList<Entry>(byKey);
  #targets = new SortedList<Entry>(byKey);
  #weights = new SortedList<Entry>(byKey);
  #ruleVhosts = new Set<VhostState>();
  #aclVhosts = new Set<VhostState>();
  #rulesChanged = true;
  #aclChanged = true;
  /** Routes with request or response rules of their own (filters, splits, redirects...). */
  #lineRoutes = new Set<RouteEntry>();
  #linesChanged = true;
  /** Routes with warnings or a rejection: said again at every render. */
  #noisy = new Set<RouteEntry>();
  /** Header bytes added by routes (values above 0), and how many routes add that many. */
  #headerBytes = new Map<number, number>();
  #headerBytesChanged = true;
  #published: {
    maps: Map<keyof MapNames, MapModel>;
    rules: Entry[];
    acl: string[];
    lines: { request: string[]; response: string[] };
    backends: string[];
    headerBytes: number;
    hasDefault: boolean;
    frontendKey: string;
    frontend?: FrontendModel;
  } = {
    maps: new Map(),
    rules: [],
    acl: [],
    lines: { request: [], response: [] },
    backends: [],
    headerBytes: 0,
    hasDefault: false,
    frontendKey: '',
  };

  constructor(name: string, maps: MapNames, listenerKey: string) {
    this.#name = name;
    this.#maps = maps;
    this.#listenerKey = listenerKey;
  }

  get listenerKey(): string {
    return this.#listenerKey;
  }

  render(
    listener: ir.Listener,
    scope: FrontendScope,
    compile: CompileRoute,
  ): { frontend: FrontendModel; maps: MapModel[] } {
    const routes = listener.routes;
    // The routes beside the last render's: a kept route at its place costs a pointer compare.
    const last = this.#routes;
    const added: number[] = [];
    const removed: ir.Route[] = [];
    let reset = this.#duplicateIds > 0;
    let at = 0;
    for (let i = 0; !reset && i < routes.length; i++) {
      const route = routes[i]!;
      if (last[at] === route) {
        at++;
        continue;
      }
      if (!this.#entries.has(route)) {
        added.push(i);
        continue;
      }
      // Kept further on: the routes before it in the last list are gone. Not further on: it moved
      // back or is listed twice, so the vhosts' order may have changed.
      const k = last.indexOf(route, at);
      if (k === -1) reset = true;
      else {
        while (at < k) removed.push(last[at++]!);
        at++;
      }
    }
    while (!reset && at < last.length) removed.push(last[at++]!);
    // Mostly new routes (a translation that made every route anew): cheaper built again.
    const kept = routes.length - added.length;
    const changes = added.length + removed.length;
    if (reset || kept === 0 || (changes > 64 && changes > kept)) this.#rebuild(routes, scope, compile);
    else {
      this.#update(routes, added, removed, scope, compile);
      // A route id listed twice only now: its equal map keys must be in the order a full build gives.
      if (this.#duplicateIds > 0) this.#rebuild(routes, scope, compile);
    }
    this.#routes = routes;
    this.#updateVhosts();
    for (const e of [...this.#noisy].sort((a, b) => a.pos - b.pos)) {
      for (const w of e.outcome.warnings) scope.warnRoute(listener, e.route, w.feature, w.message);
      if (e.outcome.rejected) scope.rejectRoute(listener, e.route, e.outcome.rejected);
    }
    return this.#publish(listener, scope);
  }

  /** Everything built again from the routes (compiles whose route content is the same reused). */
  #rebuild(routes: readonly ir.Route[], scope: FrontendScope, compile: CompileRoute): void {
    const reusable = new Map<string, RouteOutcome>();
    for (const e of this.#entries.values()) reusable.set(routeKey(e.route), e.outcome);
    this.#clear();
    const backend = this.#asker(scope);
    for (const list of this.#lists()) list.beginBulk();
    routes.forEach((route, i) => {
      const last = reusable.size > 0 ? reusable.get(routeKey(route)) : undefined;
      // Reused only while every pool still has the backend name it had (asking registers it, too).
      const outcome =
        last?.backends.every((b) => backend(b.pool, b.retry) === b.name) === true
          ? last
          : compile(route, backend);
      this.#add(route, i, outcome);
    });
    // Their map entries first, in IR order, then the vhosts' (as a full sort of that order).
    this.#updateVhosts();
    for (const list of this.#lists()) list.endBulk();
  }

  /** Only the routes added, removed, or whose backend names changed. */
  #update(
    routes: readonly ir.Route[],
    added: readonly number[],
    removedRoutes: readonly ir.Route[],
    scope: FrontendScope,
    compile: CompileRoute,
  ): void {
    // Taken out at the positions they had, in the order the kept routes still have; then the new ones.
    const removed = removedRoutes.map((r) => this.#entries.get(r)!);
    for (const e of removed) this.#remove(e);
    const positions = this.#positions(routes, added);
    // Backend names: asked once per pool and retry policy; the routes of one that changed compile again.
    const backend = this.#asker(scope);
    const stale: RouteEntry[] = [];
    for (const use of this.#uses.values())
      if (backend(use.pool, use.retry) !== use.name) stale.push(...use.routes);
    const recompile = [...new Set(stale)];
    for (const e of recompile) this.#remove(e);
    for (const e of recompile) this.#add(e.route, e.pos, compile(e.route, backend));
    // A route replaced by an equal one (same content, another object) keeps its compile.
    const reusable = new Map<string, RouteOutcome>();
    if (added.length > 0) for (const e of removed) reusable.set(routeKey(e.route), e.outcome);
    added.forEach((i, k) => {
      const route = routes[i]!;
      const last = reusable.size > 0 ? reusable.get(routeKey(route)) : undefined;
      const outcome =
        last?.backends.every((b) => backend(b.pool, b.retry) === b.name) === true
          ? last
          : compile(route, backend);
      this.#add(route, positions[k]!, outcome);
    });
  }

  /**
   * Positions for the added routes (indexes into `routes`, ascending) between those of the kept
   * routes around them: positions only order the routes, so the kept ones keep theirs. When two
   * kept routes leave no room between them, every kept route is numbered again by its index.
   */
  #positions(routes: readonly ir.Route[], added: readonly number[]): number[] {
    const out: number[] = [];
    for (let a = 0; a < added.length; ) {
      let b = a;
      while (b + 1 < added.length && added[b + 1] === added[b]! + 1) b++;
      const first = added[a]!;
      const end = added[b]! + 1;
      const before = first > 0 ? this.#entries.get(routes[first - 1]!)!.pos : undefined;
      const after = end < routes.length ? this.#entries.get(routes[end]!)!.pos : undefined;
      const n = b - a + 1;
      for (let k = 0; k < n; k++) {
        const pos =
          before === undefined
            ? (after ?? n) - n + k
            : after === undefined
              ? before + 1 + k
              : before + ((after - before) * (k + 1)) / (n + 1);
        if (
          (before !== undefined && pos <= before) ||
          (after !== undefined && pos >= after) ||
          pos <= (out.at(-1) ?? Number.NEGATIVE_INFINITY)
        )
          return this.#renumber(routes, added);
        out.push(pos);
      }
      a = b + 1;
    }
    return out;
  }

  #renumber(routes: readonly ir.Route[], added: readonly number[]): number[] {
    const isAdded = new Set(added);
    routes.forEach((route, i) => {
      if (!isAdded.has(i)) this.#entries.get(route)!.pos = i;
    });
    return [...added];
  }

  /** scope.backend for HTTP (which also registers the backend with this render). */
  #asker(scope: FrontendScope) {
    return (pool: string | null, retry?: BackendRetry) => scope.backend(pool, 'http', retry);
  }

  #lists() {
    return [
      this.#hosts,
      this.#wildcards,
      this.#exact,
      this.#prefix,
      this.#ruleHosts,
      this.#targets,
      this.#weights,
    ];
  }

  #clear(): void {
    this.#entries = new Map();
    this.#ids = new Map();
    this.#duplicateIds = 0;
    this.#uses = new Map();
    this.#backends = new Map();
    this.#vhosts = new Map();
    this.#dirtyVhosts = new Set();
    this.#defaultVhosts = 0;
    this.#hosts = new SortedList<Entry>(byKey);
    this.#wildcards = new SortedList<{ vhost: Vhost; entry: Entry }>(byWildcardPrecedence);
    this.#exact = new SortedList<Entry>(byKey);
    this.#prefix = new SortedList<Entry>(byKey);
    this.#ruleHosts = new SortedList<Entry>(byKey);
    this.#targets = new SortedList<Entry>(byKey);
    this.#weights = new SortedList<Entry>(byKey);
    this.#ruleVhosts = new Set();
    this.#aclVhosts = new Set();
    this.#lineRoutes = new Set();
    this.#noisy = new Set();
    this.#headerBytes = new Map();
    this.#backendsChanged = this.#rulesChanged = this.#aclChanged = true;
    this.#linesChanged = this.#headerBytesChanged = true;
  }

  #add(route: ir.Route, pos: number, outcome: RouteOutcome): void {
    const c = outcome.compiled;
    const e: RouteEntry = {
      ...(c ? { parts: routeParts(c) } : {}),
      route,
      pos,
      outcome,
      targets: c ? c.targets.map((t) => ({ key: mapKey(t.key), value: mapValue(t.value) })) : [],
      weights: c ? c.weights.map((t) => ({ key: mapKey(t.key), value: mapValue(t.value) })) : [],
      uses: [],
    };
    this.#entries.set(route, e);
    const ids = (this.#ids.get(route.id) ?? 0) + 1;
    this.#ids.set(route.id, ids);
    if (ids === 2) this.#duplicateIds++;
    for (const b of outcome.backends) {
      const key = `${b.pool}\u0000${b.retry ? `${b.retry.retries}\u0000${b.retry.on.join(' ')}` : ''}`;
      let use = this.#uses.get(key);
      if (use === undefined) {
        use = { key, pool: b.pool, retry: b.retry, name: b.name, routes: new Set() };
        this.#uses.set(key, use);
        if (use.name !== undefined) this.#countBackend(use.name, 1);
      }
      if (!use.routes.has(e)) {
        use.routes.add(e);
        e.uses.push(use);
      }
    }
    for (const t of e.targets) this.#targets.add(t);
    for (const w of e.weights) this.#weights.add(w);
    if (c && (c.request.length > 0 || c.response.length > 0)) {
      this.#lineRoutes.add(e);
      this.#linesChanged = true;
    }
    if (c && c.headerBytes > 0) this.#countHeaderBytes(c.headerBytes, 1);
    if (outcome.warnings.length > 0 || outcome.rejected) this.#noisy.add(e);
    if (outcome.vhost) {
      let v = this.#vhosts.get(outcome.vhost.id);
      if (v === undefined) {
        v = {
          vhost: outcome.vhost,
          routes: [],
          paths: new PlainPaths(),
          ruleRoutes: 0,
          mode: 'computed',
          winners: { exact: new Map(), prefix: new Map() },
          listed: false,
          exact: [],
          prefix: [],
          targets: [],
          rules: [],
          acl: [],
        };
        this.#vhosts.set(v.vhost.id, v);
      }
      e.vhost = v;
      // In IR order: after every route of the vhost listed before it.
      let lo = 0;
      let hi = v.routes.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v.routes[mid]!.pos < pos) lo = mid + 1;
        else hi = mid;
      }
      v.routes.splice(lo, 0, e);
      if (c?.plain) v.paths.add(e, plainKeys(e, c));
      else if (c) v.ruleRoutes++;
      this.#dirtyVhosts.add(v);
    }
  }

  #remove(e: RouteEntry): void {
    this.#entries.delete(e.route);
    const ids = this.#ids.get(e.route.id)! - 1;
    if (ids === 0) this.#ids.delete(e.route.id);
    else this.#ids.set(e.route.id, ids);
    if (ids === 1) this.#duplicateIds--;
    for (const use of e.uses) {
      use.routes.delete(e);
      if (use.routes.size === 0) {
        this.#uses.delete(use.key);
        if (use.name !== undefined) this.#countBackend(use.name, -1);
      }
    }
    for (const t of e.targets) this.#targets.delete(t);
    for (const w of e.weights) this.#weights.delete(w);
    if (this.#lineRoutes.delete(e)) this.#linesChanged = true;
    const c = e.outcome.compiled;
    if (c && c.headerBytes > 0) this.#countHeaderBytes(c.headerBytes, -1);
    this.#noisy.delete(e);
    if (e.vhost) {
      e.vhost.routes.splice(e.vhost.routes.indexOf(e), 1);
      if (c?.plain) e.vhost.paths.remove(e, plainKeys(e, c));
      else if (c) e.vhost.ruleRoutes--;
      this.#dirtyVhosts.add(e.vhost);
    }
  }

  #countBackend(name: string, by: number): void {
    const n = (this.#backends.get(name) ?? 0) + by;
    if (n === 0) this.#backends.delete(name);
    else this.#backends.set(name, n);
    if (n === 0 || n === by) this.#backendsChanged = true;
  }

  #countHeaderBytes(bytes: number, by: number): void {
    const n = (this.#headerBytes.get(bytes) ?? 0) + by;
    if (n === 0) this.#headerBytes.delete(bytes);
    else this.#headerBytes.set(bytes, n);
    this.#headerBytesChanged = true;
  }

  /** The vhosts whose routes changed: their map entries and rules again (see http-frontend.ts). */
  #updateVhosts(): void {
    for (const v of this.#dirtyVhosts) {
      const touched = v.paths.takeTouched();
      if (v.ruleRoutes === 0 && v.paths.mapOrderHolds) {
        // Only plain routes, in the maps: the entries of the keys whose winner changed.
        if (v.mode === 'computed') {
          this.#contribute(v, NO_CONTRIBUTION);
          v.mode = 'plain';
          for (const map of ['exact', 'prefix'] as const)
            for (const [key] of v.paths.winners(map)) this.#updateWinner(v, map, key);
        } else
          for (const map of ['exact', 'prefix'] as const)
            for (const key of touched[map]) this.#updateWinner(v, map, key);
      } else {
        if (v.mode === 'plain') {
          for (const map of ['exact', 'prefix'] as const) {
            const list = map === 'exact' ? this.#exact : this.#prefix;
            for (const entry of v.winners[map].values()) list.delete(entry);
            v.winners[map].clear();
          }
          v.mode = 'computed';
        }
        this.#contribute(v, vhostContribution(compiledRoutes(v)));
      }
      if (v.routes.length > 0) {
        if (!v.listed) this.#addHost(v);
      } else {
        this.#vhosts.delete(v.vhost.id);
        if (v.listed) this.#removeHost(v);
      }
    }
    this.#dirtyVhosts.clear();
  }

  /** A plain vhost's entry for one key of the exact or prefix map: its winner's. */
  #updateWinner(v: VhostState, map: 'exact' | 'prefix', key: string): void {
    const winner = v.paths.winner(map, key);
    const want = winner === undefined ? undefined : winner.parts![map];
    const have = v.winners[map].get(key);
    if (want === have) return;
    const list = map === 'exact' ? this.#exact : this.#prefix;
    if (have) list.delete(have);
    if (want) {
      list.add(want);
      v.winners[map].set(key, want);
    } else v.winners[map].delete(key);
  }

  /** The vhost's entries and rules are now `next` (vhostContribution's). */
  #contribute(v: VhostState, next: VhostContribution): void {
    v.exact = replaceEntries(this.#exact, v.exact, next.exact);
    v.prefix = replaceEntries(this.#prefix, v.prefix, next.prefix);
    v.targets = replaceEntries(this.#targets, v.targets, next.targets);
    if ((v.ruleHost !== undefined) !== next.ruleHost) {
      if (v.ruleHost) this.#ruleHosts.delete(v.ruleHost);
      v.ruleHost = next.ruleHost ? { key: v.vhost.id, value: v.vhost.id } : undefined;
      if (v.ruleHost) this.#ruleHosts.add(v.ruleHost);
    }
    // The vhost's routes changed, so its place among the vhosts may have, too.
    if (v.rules.length > 0 || next.rules.length > 0) this.#rulesChanged = true;
    if (v.acl.length > 0 || next.acl.length > 0) this.#aclChanged = true;
    v.rules = next.rules;
    v.acl = next.acl;
    if (v.rules.length > 0) this.#ruleVhosts.add(v);
    else this.#ruleVhosts.delete(v);
    if (v.acl.length > 0) this.#aclVhosts.add(v);
    else this.#aclVhosts.delete(v);
  }

  #addHost(v: VhostState): void {
    v.listed = true;
    const host = v.vhost.hostname;
    if (host === undefined) this.#defaultVhosts++;
    else if (host.startsWith('*.')) {
      const entry = { key: mapKey(wildcardPattern(host, v.vhost.wildcard)), value: mapValue(v.vhost.id) };
      v.wildcardItem = { vhost: v.vhost, entry };
      this.#wildcards.add(v.wildcardItem);
    } else {
      v.hostEntry = { key: mapKey(host), value: mapValue(v.vhost.id) };
      this.#hosts.add(v.hostEntry);
    }
  }

  #removeHost(v: VhostState): void {
    v.listed = false;
    if (v.vhost.hostname === undefined) this.#defaultVhosts--;
    if (v.wildcardItem) this.#wildcards.delete(v.wildcardItem);
    if (v.hostEntry) this.#hosts.delete(v.hostEntry);
    v.wildcardItem = v.hostEntry = undefined;
  }

  /** The frontend and maps: the last render's objects where nothing in them changed. */
  #publish(listener: ir.Listener, scope: FrontendScope): { frontend: FrontendModel; maps: MapModel[] } {
    const p = this.#published;
    const lb = scope.lb;
    const names = this.#maps;
    const map = (
      role: keyof MapNames,
      match: MapModel['match'],
      changed: boolean,
      entries: () => Entry[],
    ) => {
      const last = p.maps.get(role);
      if (last !== undefined && !changed) return last;
      const next = entries();
      if (last !== undefined && sameEntries(last.entries, next)) return last;
      const m: MapModel = { lb, name: names[role], match, entries: next };
      p.maps.set(role, m);
      return m;
    };
    const sorted = (list: SortedList<Entry>) => list.items as Entry[];
    let rulesChanged = false;
    if (this.#rulesChanged) {
      const rules = byFirstRoute(this.#ruleVhosts).flatMap((v) => v.rules);
      rulesChanged = !sameEntries(rules, p.rules);
      if (rulesChanged) p.rules = rules;
      this.#rulesChanged = false;
    }
    let frontendChanged = false;
    if (this.#aclChanged) {
      const acl = byFirstRoute(this.#aclVhosts).flatMap((v) => v.acl);
      if (!sameLines(acl, p.acl)) {
        p.acl = acl;
        frontendChanged = true;
      }
      this.#aclChanged = false;
    }
    if (this.#linesChanged) {
      const routes = [...this.#lineRoutes].sort((a, b) => a.pos - b.pos).map((e) => e.outcome.compiled!);
      const lines = {
        request: routes.flatMap((c) => c.request),
        response: routes.flatMap((c) => c.response),
      };
      if (!sameLines(lines.request, p.lines.request) || !sameLines(lines.response, p.lines.response)) {
        p.lines = lines;
        frontendChanged = true;
      }
      this.#linesChanged = false;
    }
    if (this.#backendsChanged) {
      const backends = [...this.#backends.keys()].sort();
      if (!sameLines(backends, p.backends)) {
        p.backends = backends;
        frontendChanged = true;
      }
      this.#backendsChanged = false;
    }
    if (this.#headerBytesChanged) {
      const bytes = Math.max(0, ...this.#headerBytes.keys());
      if (bytes !== p.headerBytes) {
        p.headerBytes = bytes;
        frontendChanged = true;
      }
      this.#headerBytesChanged = false;
    }
    const hasDefault = this.#defaultVhosts > 0;
    if (hasDefault !== p.hasDefault) {
      p.hasDefault = hasDefault;
      frontendChanged = true;
    }
    // The listener's and load balancer's own fields: small, compared as text.
    const misdirected = misdirectedRules(listener);
    const frontendKey = JSON.stringify([
      lb,
      listener.id,
      listener.port,
      scope.address,
      scope.address6,
      scope.tls,
      scope.sourceRanges,
      misdirected,
    ]);
    if (frontendKey !== p.frontendKey) {
      p.frontendKey = frontendKey;
      frontendChanged = true;
    }
    const maps = [
      map('hosts', 'str', this.#hosts.changed, () => sorted(this.#hosts)),
      map('wildcards', 'reg', this.#wildcards.changed, () => this.#wildcards.items.map((w) => w.entry)),
      map('exact', 'str', this.#exact.changed, () => sorted(this.#exact)),
      map('prefix', 'beg', this.#prefix.changed, () => sorted(this.#prefix)),
      // In IR order within each vhost: map_reg returns the first match.
      map('rules', 'reg', rulesChanged, () => p.rules),
      map('ruleHosts', 'str', this.#ruleHosts.changed, () => sorted(this.#ruleHosts)),
      map('targets', 'str', this.#targets.changed, () => sorted(this.#targets)),
      map('weights', 'str', this.#weights.changed, () => sorted(this.#weights)),
    ];
    if (p.frontend === undefined || frontendChanged)
      p.frontend = {
        lb,
        listener: listener.id,
        name: this.#name,
        bind: {
          address: scope.address,
          port: listener.port,
          ...(scope.address6 !== undefined ? { address6: scope.address6 } : {}),
        },
        mode: 'http',
        ...(scope.tls ? { tls: scope.tls } : {}),
        sourceRanges: scope.sourceRanges,
        maps: Object.values(names).sort(),
        backends: p.backends,
        rules: [
          'http-request set-var(txn.host) req.hdr(host),field(1,:),lower',
          'http-request set-var(txn.path) path',
          ...misdirected,
          `http-request set-var(txn.vh) var(txn.host),map_str(${mapPathOf(names.hosts)})`,
          `http-request set-var(txn.vh) var(txn.host),map_reg(${mapPathOf(names.wildcards)}) if !{ var(txn.vh) -m found }`,
          ...(hasDefault ? ['http-request set-var(txn.vh) str(v_any) if !{ var(txn.vh) -m found }'] : []),
          'http-request set-var(txn.key) var(txn.vh),concat(,txn.path)',
          // Rule routes first, then the maps (see http-frontend.ts); a vhost on rules only has no map entries.
          ...p.acl,
          ...ruleMapRules({ rules: mapPathOf(names.rules), ruleHosts: mapPathOf(names.ruleHosts) }),
          `http-request set-var(txn.rt) var(txn.key),map_str(${mapPathOf(names.exact)}) if !{ var(txn.rt) -m found }`,
          `http-request set-var(txn.rt) var(txn.key),map_beg(${mapPathOf(names.prefix)}) if !{ var(txn.rt) -m found }`,
          `http-request set-var(txn.be) var(txn.rt),map_str(${mapPathOf(names.targets)}) if { var(txn.rt) -m beg rt_ }`,
          ...p.lines.request,
          ...p.lines.response,
          'use_backend %[var(txn.be)] if { var(txn.be) -m found }',
          'use_backend %[var(txn.rt)] if { var(txn.rt) -m found } !{ var(txn.rt) -m beg rt_ }',
        ],
        defaultBackend: HELPER_BACKENDS.notFound,
        ...(p.headerBytes > 0 ? { addedHeaderBytes: p.headerBytes } : {}),
      };
    return { frontend: p.frontend, maps };
  }
}

const mapPathOf = (name: string) => `maps/${name}.map`;

/** Vhosts in the order of their first route (the order the routes first named them in). */
function byFirstRoute(vhosts: Iterable<VhostState>): VhostState[] {
  return [...vhosts].sort((a, b) => a.routes[0]!.pos - b.routes[0]!.pos);
}

/**
 * A vhost's entries in one sorted list, from `before` to `after`: the entries they share (the same
 * objects: a route's parts are made once) stay, the others are removed or added.
 */
function replaceEntries(list: SortedList<Entry>, before: Entry[], after: Entry[]): Entry[] {
  if (before.length === after.length && before.every((e, i) => e === after[i])) return before;
  const kept = new Set(after);
  for (const e of before) if (!kept.delete(e)) list.delete(e);
  for (const e of kept) list.add(e);
  return after;
}

/** The path and map keys of a compiled plain route, for its vhost's PlainPaths. */
function plainKeys(e: RouteEntry, c: CompiledRoute): PlainKeys {
  return {
    plain: c.plain!,
    ...(e.parts!.exact ? { exactKey: e.parts!.exact.key } : {}),
    ...(e.parts!.prefix ? { prefixKey: e.parts!.prefix.key } : {}),
  };
}

/** A vhost's compiled routes in IR order, with their parts. */
function compiledRoutes(v: VhostState): { compiled: CompiledRoute; parts: RouteParts }[] {
  const out: { compiled: CompiledRoute; parts: RouteParts }[] = [];
  for (const e of v.routes)
    if (e.outcome.compiled) out.push({ compiled: e.outcome.compiled, parts: e.parts! });
  return out;
}
