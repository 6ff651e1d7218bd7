import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { isOwnedBy } from '#core/naming/is-owned-by.js';
import { TAG_KEYS } from '#core/naming/ownership.js';
import { ownershipTags } from '#core/naming/ownership-tags.js';
import { parseAddress } from '#core/plan/address.js';
import { desiredOf } from '#core/plan/desired-of.js';
import { executionSteps } from '#core/plan/execution-steps.js';
import type { Plan } from '#core/plan/types.js';
import {
  type Capabilities,
  ConflictError,
  type LbStatus,
  type LoadBalancerAdapter,
  NotOwnedError,
  type Observed,
  throwIfAborted,
} from '../types.js';
import { FAKE_CAPABILITIES } from './capabilities.js';
import { FakeCloud, type FakeCloudResource } from './cloud.js';
import { fakeDiffSpec } from './diff-spec.js';
import { FAKE_ADAPTER, fakeLbName } from './naming.js';
import { renderFake } from './render.js';
import type { FakeKinds } from './resources.js';

export interface FakeAdapterOptions {
  /** Restrict what the fake can express, to exercise notices. Default: everything. */
  capabilities?: Partial<Capabilities>;
  /** Share one cloud between adapters (several clusters, resync). Default: a new, empty one. */
  cloud?: FakeCloud;
}

export interface FakeAdapter extends LoadBalancerAdapter<FakeKinds> {
  readonly cloud: FakeCloud;
}

/**
 * An in-memory adapter for tests and local wiring. It keeps the adapter contract to the letter:
 * observe finds resources by ownership tags, apply re-checks ownership before every update or
 * delete and never acts on a conflict.
 */
export function createFakeAdapter(options: FakeAdapterOptions = {}): FakeAdapter {
  const cloud = options.cloud ?? new FakeCloud();
  const caps: Capabilities = {
    ...FAKE_CAPABILITIES,
    filters: FAKE_CAPABILITIES.filters.filter((f) => f !== 'CORS'),
    retries: false,
    backendTls: { supported: false, systemTrust: false, subjectAltNames: false, clientCertificate: false },
    frontendClientValidation: [],
    tlsMixedModes: false,
    misdirectedRequests: false,
    ...options.capabilities,
  };

  return {
    name: FAKE_ADAPTER,
    cloud,
    diffSpec: fakeDiffSpec,
    capabilities: () => caps,
    render: (lb: LoadBalancer) => renderFake(lb, caps),

    async observe(key, { signal }): Promise<Observed<FakeKinds>> {
      throwIfAborted(signal);
      const owner = ownerOf(key);
      const name = fakeLbName(key);
      const listed = cloud.listForObserve();
      const resources = listed.resources
        .filter((r) => isOwnedBy(r.tags, owner) || parseAddress(r.address).name === name)
        .map(({ tags, ...r }) => ({ ...r, owned: isOwnedBy(tags, owner) }));
      return { resources, complete: listed.complete };
    },

    async listOwnedKeys(cluster, { signal }) {
      throwIfAborted(signal);
      let resources: FakeCloudResource[];
      try {
        resources = cloud.listForKeys();
      } catch {
        return { keys: [], complete: false };
      }
      const keys = new Set<LbKey>();
      for (const r of resources) {
        const key = r.tags[TAG_KEYS.lbKey];
        if (key && isOwnedBy(r.tags, { cluster }) && parseLbKey(key)?.cluster === cluster) keys.add(key);
      }
      return { keys: [...keys].sort(), complete: true };
    },

    async apply(plan: Plan<FakeKinds>, { signal }): Promise<LbStatus> {
      const owner = ownerOf(plan.lbKey);
      for (const { op, change } of executionSteps(plan)) {
        throwIfAborted(signal);
        if (op === 'create') {
          cloud.create(desiredOf(change), ownershipTags({ ...owner, role: change.kind }));
          continue;
        }
        const current = change.id !== undefined ? cloud.get(change.id) : undefined;
        if (!current) {
          if (op === 'delete') continue;
          throw new ConflictError(`${change.address} changed since it was observed`, change.address);
        }
        // Defence in depth: the plan only holds owned resources, but tags can change after observe.
        if (!isOwnedBy(current.tags, owner)) throw new NotOwnedError(change.address);
        if (op === 'update') cloud.update(current.id, desiredOf(change));
        else cloud.delete(current.id);
      }
      return statusOf(plan);
    },
  };

  function statusOf(plan: Plan<FakeKinds>): LbStatus {
    const key = plan.lbKey;
    const mine = cloud.all().filter((r) => isOwnedBy(r.tags, ownerOf(key)));
    const lb = mine.find((r) => r.kind === 'load-balancer');
    const conflicts = plan.conflicts.map((c) => ({ address: c.address, message: c.reason }));
    return {
      key,
      addresses: lb
        ? [{ type: 'Hostname', value: `${parseAddress(lb.address).name}.fake.portico.test` }]
        : [],
      programmed: conflicts.length === 0,
      listeners: mine
        .filter((r) => r.kind === 'listener')
        .map((r) => ({ id: parseAddress(r.address).sub ?? r.address, programmed: true }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      ...(conflicts.length > 0
        ? { message: `${conflicts.length} resource(s) held by someone else`, errors: conflicts }
        : {}),
    };
  }
}

/** The fake needs no cluster setting: the LB key carries it. */
function ownerOf(key: LbKey): { cluster: string; lbKey: LbKey } {
  return { cluster: parseLbKey(key)?.cluster ?? key, lbKey: key };
}
