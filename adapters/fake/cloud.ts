import type { Resource } from '#core/plan/types.js';
import { ConflictError, RetryableError } from '../types.js';
import { type FakeKinds, fakeReferences } from './resources.js';

/** A resource as the fake provider stores it. */
export type FakeCloudResource = Resource<FakeKinds> & { id: string; tags: Record<string, string> };

export interface FailureInjection {
  /** Mutating calls (create, update, delete) that succeed before the failures start. */
  afterCalls: number;
  /** How many calls fail, then calls succeed again (default 1). */
  times?: number;
  /** Default: a RetryableError, as a provider 5xx would be. */
  error?: (call: string) => Error;
}

/**
 * An in-memory provider, strict where real ones are: load balancer names are unique, a resource
 * cannot be created before what it refers to, and the last resource at an address cannot be
 * deleted while something still refers to it. Every call is recorded in `calls`, as in
 * cloud-provider's fake.
 */
export class FakeCloud {
  readonly calls: string[] = [];
  readonly #resources = new Map<string, FakeCloudResource>();
  #nextId = 1;
  #failure: Required<FailureInjection> | undefined;
  #mutations = 0;
  #listFailures = 0;
  #observeFailures = 0;
  #seen: (r: FakeCloudResource) => boolean = () => false;

  /** Puts a resource in place without a recorded call: someone else's, or a leftover. */
  seed(r: Resource<FakeKinds> & { tags?: Record<string, string> }): FakeCloudResource {
    const stored = this.#stored(r, r.tags ?? {});
    this.#resources.set(stored.id, stored);
    return clone(stored);
  }

  /** Every resource, in creation order, as copies (the test's view; not a recorded call). */
  all(): FakeCloudResource[] {
    return [...this.#resources.values()].map(clone);
  }

  get(id: string): FakeCloudResource | undefined {
    const r = this.#resources.get(id);
    return r ? clone(r) : undefined;
  }

  list(): FakeCloudResource[] {
    this.calls.push('list');
    return this.all();
  }

  /** The listing listOwnedKeys reads (recorded as `list-keys`); fails while `failListings` says so. */
  listForKeys(): FakeCloudResource[] {
    this.calls.push('list-keys');
    if (this.#listFailures > 0) {
      this.#listFailures--;
      throw new RetryableError('injected failure: list-keys');
    }
    return this.all();
  }

  /**
   * What one observe reads (recorded as `list`): every resource, and whether that is all of them
   * (false while `failObserves` says so: only what its `seen` keeps could be read).
   */
  listForObserve(): { resources: FakeCloudResource[]; complete: boolean } {
    this.calls.push('list');
    if (this.#observeFailures > 0) {
      this.#observeFailures--;
      return { resources: this.all().filter(this.#seen), complete: false };
    }
    return { resources: this.all(), complete: true };
  }

  /**
   * Makes the next `times` observes incomplete, as a throttled Describe call would: they read only
   * the resources `seen` keeps (default none).
   */
  failObserves(times = 1, seen: (r: FakeCloudResource) => boolean = () => false): void {
    this.#observeFailures = times;
    this.#seen = seen;
  }

  /** Makes the next `times` key listings fail (a provider page that could not be read). */
  failListings(times = 1): void {
    this.#listFailures = times;
  }

  create(resource: Resource<FakeKinds>, tags: Record<string, string>): FakeCloudResource {
    const { address } = resource;
    this.#mutate(`create ${address}`);
    if (resource.kind === 'load-balancer' && this.#at(address).length > 0)
      throw new ConflictError(`a load balancer named ${address} already exists`, address);
    for (const ref of fakeReferences(resource))
      if (this.#at(ref).length === 0)
        throw new ConflictError(`${address} refers to ${ref}, which does not exist`, address);
    const stored = this.#stored(resource, tags);
    this.#resources.set(stored.id, stored);
    return clone(stored);
  }

  /** A new value for resource `id`; its address and kind stay. */
  update(id: string, resource: Resource<FakeKinds>): void {
    const r = this.#resources.get(id);
    this.#mutate(`update ${r?.address ?? id}`);
    if (!r) throw new ConflictError(`resource ${id} does not exist`);
    if (r.kind !== resource.kind || r.address !== resource.address)
      throw new ConflictError(`resource ${id} is ${r.address}, not ${resource.address}`, r.address);
    for (const ref of fakeReferences(resource))
      if (this.#at(ref).length === 0)
        throw new ConflictError(`${r.address} refers to ${ref}, which does not exist`, r.address);
    this.#resources.set(id, { ...clone(resource), id, tags: r.tags });
  }

  /** Deleting what is already gone succeeds, as provider deletes do. */
  delete(id: string): void {
    const r = this.#resources.get(id);
    this.#mutate(`delete ${r?.address ?? id}`);
    if (!r) return;
    if (this.#at(r.address).length === 1) {
      const user = [...this.#resources.values()].find((o) => fakeReferences(o).includes(r.address));
      if (user) throw new ConflictError(`${r.address} is in use by ${user.address}`, r.address);
    }
    this.#resources.delete(id);
  }

  /** Makes mutating calls fail, counting from now. */
  injectFailure(f: FailureInjection): void {
    this.#mutations = 0;
    this.#failure = {
      afterCalls: f.afterCalls,
      times: f.times ?? 1,
      error: f.error ?? ((call) => new RetryableError(`injected failure: ${call}`, { retryAfterMs: 0 })),
    };
  }

  #mutate(call: string): void {
    this.calls.push(call);
    const f = this.#failure;
    if (f && this.#mutations >= f.afterCalls && f.times > 0) {
      f.times--;
      throw f.error(call);
    }
    this.#mutations++;
  }

  #at(address: string): FakeCloudResource[] {
    return [...this.#resources.values()].filter((r) => r.address === address);
  }

  #stored(r: Resource<FakeKinds>, tags: Record<string, string>): FakeCloudResource {
    return { ...clone(r), id: this.#newId(), tags: { ...tags } };
  }

  #newId(): string {
    return `fake-${String(this.#nextId++).padStart(4, '0')}`;
  }
}

function clone<T>(v: T): T {
  return structuredClone(v);
}
