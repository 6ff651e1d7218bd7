// What compiling one route of a frontend gave last time, so that a render of a Gateway with 3,000
// routes where one changed compiles one route, not 3,000. An entry is keyed by the route's content
// (its IR, serialised once per IR object: see routeKey) within its frontend, whose name carries the load balancer and listener, plus
// the listener fields a compile reads (protocol, port). A compile also depends on the backend names
// the load balancer gives its pools: they are recorded and asked again on reuse, which both
// registers the backends with this render and checks that the names are still the same. Warnings and
// a rejection are recorded and said again. Owned by the caller (the adapter keeps one): no globals.

import type { Route } from '#core/ir/load-balancer.js';
import type { BackendRetry } from '../model.js';
import type { FieldError } from './field-error.js';

export interface BackendCall {
  pool: string | null;
  retry: BackendRetry | undefined;
  name: string | undefined;
}

export interface RouteOutcome<C, V> {
  /** The route's virtual host, when it was read before the compile stopped or ended. */
  vhost?: V;
  compiled?: C;
  rejected?: FieldError;
  warnings: { feature: string; message: string }[];
  backends: BackendCall[];
}

/** The entries of one frontend: those of the last render, and those this render used or made. */
export class FrontendRouteMemo<C, V> {
  readonly #last: ReadonlyMap<string, RouteOutcome<C, V>>;
  readonly #next = new Map<string, RouteOutcome<C, V>>();

  constructor(last: ReadonlyMap<string, RouteOutcome<C, V>>) {
    this.#last = last;
  }

  get(key: string): RouteOutcome<C, V> | undefined {
    return this.#last.get(key) ?? this.#next.get(key);
  }

  keep(key: string, outcome: RouteOutcome<C, V>): void {
    this.#next.set(key, outcome);
  }

  /** The entries the next render of this frontend starts from (only those this one used). */
  get entries(): ReadonlyMap<string, RouteOutcome<C, V>> {
    return this.#next;
  }
}

export class RouteMemo<C, V> {
  /** Per frontend name: the listener fields its entries were made with, and the entries. */
  readonly #frontends = new Map<
    string,
    { listenerKey: string; entries: ReadonlyMap<string, RouteOutcome<C, V>> }
  >();

  /** Starts a render of one frontend; `done` keeps what it used for the next one. */
  frontend(name: string, listenerKey: string): { memo: FrontendRouteMemo<C, V>; done(): void } {
    const last = this.#frontends.get(name);
    const memo = new FrontendRouteMemo<C, V>(last?.listenerKey === listenerKey ? last.entries : new Map());
    return { memo, done: () => void this.#frontends.set(name, { listenerKey, entries: memo.entries }) };
  }
}

/**
 * A route's memo key: its IR serialised. IR objects are never edited, and the translation keeps the
 * IR route of an unchanged route as the same object, so the serialisation is kept per object.
 */
const keys = new WeakMap<Route, string>();

export function routeKey(route: Route): string {
  let key = keys.get(route);
  if (key === undefined) {
    key = JSON.stringify(route);
    keys.set(route, key);
  }
  return key;
}
