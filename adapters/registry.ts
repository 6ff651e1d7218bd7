import type { LoadBalancerAdapter } from './types.js';

/** Builds an adapter from its configuration (clients, region, HAProxy paths...). */
export type AdapterFactory = (config: Readonly<Record<string, unknown>>) => LoadBalancerAdapter<unknown>;

export class UnknownAdapterError extends Error {
  override readonly name = 'UnknownAdapterError';
  constructor(
    readonly adapter: string,
    known: readonly string[],
  ) {
    super(`no adapter named ${JSON.stringify(adapter)} (known: ${known.join(', ') || 'none'})`);
  }
}

export interface AdapterRegistry {
  /** Registering a name twice is a wiring bug, so it throws (cloud-provider does the same). */
  register(name: string, factory: AdapterFactory): void;
  create(name: string, config?: Readonly<Record<string, unknown>>): LoadBalancerAdapter<unknown>;
  names(): string[];
}

/** A registry per wiring (function container, CLI, test), not a module-level singleton. */
export function createAdapterRegistry(): AdapterRegistry {
  const factories = new Map<string, AdapterFactory>();
  return {
    register(name, factory) {
      if (factories.has(name)) throw new Error(`adapter ${JSON.stringify(name)} is already registered`);
      factories.set(name, factory);
    },
    create(name, config = {}) {
      const factory = factories.get(name);
      if (!factory) throw new UnknownAdapterError(name, [...factories.keys()].sort());
      return factory(config);
    },
    names: () => [...factories.keys()].sort(),
  };
}
