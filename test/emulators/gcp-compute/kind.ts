// What the service needs to know about each resource collection: its `kind`, the word GCP uses for it in
// "in use" messages, whether updates carry a fingerprint, and how a request body becomes the stored
// resource (validation, references resolved to self links, defaults and output fields filled in).

import type { ComputeLimits } from './limits.js';
import type { Scope } from './routes.js';
import type { Json, StoredResource } from './store.js';

export interface KindContext {
  project: string;
  scope: Scope;
  limits: ComputeLimits;
  /** The resource being written, when it already exists (update, patch). */
  current?: StoredResource;
  /**
   * Resolves a reference held by the emulator: well-formed, one of `allowed` collections, in a scope
   * the field accepts, existing and not being created or deleted. Throws GCP's error otherwise.
   */
  ref(field: string, value: unknown, allowed: readonly string[]): StoredResource;
  /** A reference to something the emulator does not hold (networks, subnetworks, policies): form only. */
  externalRef(field: string, value: unknown, collection: string): string;
  /**
   * A backend service's `serviceLbPolicy`: a Network Services policy of this project (any URL form),
   * existing; answered in the `//networkservices.googleapis.com/projects/…` form.
   */
  serviceLbPolicy(field: string, value: unknown): string;
  /** A fresh external or internal IPv4 address for an address or forwarding rule without one. */
  allocateIp(internal: boolean): string;
  /** An ephemeral global IPv6 address (GFE range). */
  allocateIpv6(): string;
  /**
   * A Network Security resource in the request's location (`global`, or the region): it exists and is
   * ready; its relative path (`projects/p/locations/global/serverTlsPolicies/x`).
   */
  locationRef(
    field: string,
    value: unknown,
    collection: 'serverTlsPolicies' | 'backendAuthenticationConfigs',
  ): string;
}

export interface Kind {
  kind: string;
  /** GCP's word in "The url_map resource '...' is already being used by '...'". */
  noun: string;
  fingerprinted: boolean;
  /** Methods beyond get/list/insert/delete. */
  methods: readonly string[];
  prepare(body: Json, ctx: KindContext): Json;
}
