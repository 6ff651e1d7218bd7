// The resources, keyed by `projects/p/<scope>/<collection>/<name>`. Each entry holds the resource as the
// API returns it and its lifecycle: a resource whose insert, update or delete operation has not finished
// is not ready (GCP answers `resourceNotReady` to other changes of it, or to references to it while it
// is created or deleted).

import { type ResourceRef, refPath } from './references.js';
import type { Scope } from './routes.js';

export type Json = Record<string, unknown>;
export type Lifecycle = 'creating' | 'ready' | 'updating' | 'deleting';

export interface StoredResource {
  ref: ResourceRef;
  value: Json;
  state: Lifecycle;
}

export class ResourceStore {
  private readonly items = new Map<string, StoredResource>();

  get(ref: ResourceRef): StoredResource | undefined {
    return this.items.get(refPath(ref));
  }

  put(entry: StoredResource): void {
    this.items.set(refPath(entry.ref), entry);
  }

  delete(ref: ResourceRef): void {
    this.items.delete(refPath(ref));
  }

  /** One collection in one scope, sorted by name (GCP lists are stable; name order is what tests expect). */
  list(project: string, scope: Scope, collection: string): StoredResource[] {
    return [...this.items.values()]
      .filter(
        (e) =>
          e.ref.project === project &&
          e.ref.collection === collection &&
          e.ref.scope.kind === scope.kind &&
          (scope.kind === 'global' || (e.ref.scope.kind !== 'global' && e.ref.scope.name === scope.name)),
      )
      .sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  }

  /** Every resource of a project (the in-use check scans them). */
  inProject(project: string): StoredResource[] {
    return [...this.items.values()].filter((e) => e.ref.project === project);
  }

  clear(): void {
    this.items.clear();
  }
}
