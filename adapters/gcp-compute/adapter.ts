// The GCP Compute adapter: its pure half (render, diff spec, capabilities: enough for `portico plan`
// and the render corpus) and the full adapter, which adds observe, apply, listOwnedKeys and
// targetHealth over the @google-cloud/compute REST clients of one project. The client library is loaded on the first call
// that needs it. It keeps nothing between calls: observe finds every resource by the names render
// gives it, so a fresh Lambda container costs what a warm one does.

import type * as ir from '#core/ir/load-balancer.js';
import type { AdapterNotice, LoadBalancerAdapter, PureAdapter, Rendered } from '../types.js';
import { applyGcp } from './apply.js';
import { GCP_CAPABILITIES } from './capabilities.js';
import { gcpDiffSpec } from './diff-spec.js';
import { DEFAULT_RETRY, type GcpCalls, type RetryPolicy } from './internal/calls.js';
import { createGcpClients, type GcpClientOptions, type GcpClients } from './internal/clients.js';
import { GCP_COMPUTE_ADAPTER, type GcpKinds } from './model.js';
import { listOwnedKeysGcp, observeGcp } from './observe.js';
import { type GcpRenderOptions, renderGcpCompute } from './render.js';
import { targetHealthGcp } from './target-health.js';

export type { GcpClientOptions };

export interface GcpPureOptions extends GcpRenderOptions {
  /**
   * The one project the adapter programs: a load balancer whose parameters name another is rendered
   * as nothing, with an error notice (never programmed into the wrong project). Absent: any project.
   */
  project?: string;
}

export function gcpComputePureHalf(opts: GcpPureOptions = {}): PureAdapter<GcpKinds> {
  return {
    name: GCP_COMPUTE_ADAPTER,
    capabilities: () => GCP_CAPABILITIES,
    render: (lb: ir.LoadBalancer): Rendered<GcpKinds> => {
      const wrong = otherProject(lb, opts.project);
      return wrong ? { resources: [], notices: [wrong] } : renderGcpCompute(lb, opts);
    },
    diffSpec: gcpDiffSpec,
  };
}

function otherProject(lb: ir.LoadBalancer, project: string | undefined): AdapterNotice | undefined {
  const named = lb.providerParameters.project;
  if (project === undefined || named === undefined || named === project) return undefined;
  return {
    severity: 'error',
    code: 'UnsupportedValue',
    feature: 'parameters/gcpCompute',
    source: lb.source,
    field: 'gcpCompute.project',
    message: `invalid LoadBalancerParameters gcpCompute.project: ${JSON.stringify(named)} is not the project this Portico programs (${project}); nothing is programmed`,
  };
}

export interface GcpComputeAdapterOptions extends GcpRenderOptions {
  /** The project every call goes to. */
  project: string;
  clientOptions: GcpClientOptions;
  /** When set, only resources marked with this cluster count as owned. */
  cluster?: string;
  /** Retries of rate-limited and transient calls (default 5 tries, 200 ms doubling up to 10 s). */
  retry?: Partial<RetryPolicy>;
}

export type GcpComputeAdapter = LoadBalancerAdapter<GcpKinds> & {
  readonly project: string;
  /** Closes the clients (their sockets), if any were made. */
  close(): Promise<void>;
};

export function createGcpComputeAdapter(opts: GcpComputeAdapterOptions): GcpComputeAdapter {
  const cluster = opts.cluster !== undefined ? { cluster: opts.cluster } : {};
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  let clients: Promise<GcpClients> | undefined;
  const calls = async (signal: AbortSignal): Promise<GcpCalls> => {
    clients ??= createGcpClients(opts.clientOptions);
    return { clients: await clients, project: opts.project, signal, retry };
  };
  const pure = gcpComputePureHalf(opts);
  return {
    ...pure,
    project: opts.project,
    observe: async (key, { signal, desired }) =>
      observeGcp(await calls(signal), { key, desired, ...cluster }),
    apply: async (plan, { signal }) => applyGcp(await calls(signal), plan, cluster),
    // An adapter set up for one cluster holds nothing of another.
    listOwnedKeys: async (of, { signal }) =>
      opts.cluster !== undefined && of !== opts.cluster
        ? { keys: [], complete: true }
        : listOwnedKeysGcp(await calls(signal), of),
    targetHealth: async (lb, { signal }) =>
      targetHealthGcp(await calls(signal), { key: lb.key, desired: pure.render(lb).resources, ...cluster }),
    async close() {
      const c = clients;
      clients = undefined;
      if (c) await (await c).close();
    },
  };
}
