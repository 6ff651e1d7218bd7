// The gcp-compute adapter as the deployed functions hold it: its pure half (render, diff spec) at
// once, and the adapter proper (the Compute client, credentials) only when something must be read
// or changed on GCP. Its config (project, Workload Identity Federation credentials) is an SSM
// SecureString, re-read like the ingest config (readParameter's cache, 5 minutes): a changed value
// builds a new adapter, an invalid one fails the GCP calls with a message naming the bad field.
// cloud-adapters.ts imports this file only when PORTICO_GCP_CONFIG_PARAMETER is set.

import type { SSMClient } from '@aws-sdk/client-ssm';
import type { GcpClientOptions, GcpComputeAdapterOptions } from '#adapters/gcp-compute/adapter.js';
import { gcpCompute } from '#adapters/gcp-compute/index.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import {
  type AdapterDescriptor,
  type AnyLoadBalancerAdapter,
  InvalidConfigError,
  type LoadBalancerAdapter,
} from '#adapters/types.js';
import { type Env, regionOf } from './env.js';
import { parseGcpConfig } from './gcp-config.js';
import { readParameter } from './ssm-parameter.js';

/** The part of the gcp-compute descriptor the wiring uses (tests pass a recording one). */
export type GcpDescriptor = Pick<
  AdapterDescriptor<GcpKinds, GcpComputeAdapterOptions>,
  'name' | 'pure' | 'create'
>;

export interface LazyGcpAdapterOptions {
  descriptor: GcpDescriptor;
  ssm: SSMClient;
  /** The SSM parameter holding the config JSON (gcp-config.ts). */
  parameter: string;
  /** How long a value read is reused (default readParameter's 5 minutes; 0 reads every time). */
  cacheMs?: number;
  /** Where the Compute API is (tests: an emulator); the credentials always come from the config. */
  clientOptions?: Omit<GcpClientOptions, 'authClient'>;
}

/**
 * The adapter, lazily: name, capabilities, render and diffSpec come from the descriptor's pure half;
 * observe, apply and listOwnedKeys read the config, then build (once per config value) the
 * credentials (google-auth-library, imported here and nowhere on the AWS-only path) and the adapter.
 */
export async function lazyGcpAdapter(opts: LazyGcpAdapterOptions): Promise<LoadBalancerAdapter<GcpKinds>> {
  const pure = await opts.descriptor.pure();
  let built: { raw: string; adapter: Promise<LoadBalancerAdapter<GcpKinds>> } | undefined;

  async function build(raw: string): Promise<LoadBalancerAdapter<GcpKinds>> {
    let config: ReturnType<typeof parseGcpConfig>;
    try {
      config = parseGcpConfig(raw, `SSM parameter ${opts.parameter}`);
    } catch (error) {
      throw new InvalidConfigError((error as Error).message);
    }
    const { gcpAuthClient } = await import('./gcp-auth.js');
    return opts.descriptor.create({
      project: config.project,
      clientOptions: { ...opts.clientOptions, authClient: gcpAuthClient(config.credentials) },
    });
  }

  async function current(signal: AbortSignal): Promise<LoadBalancerAdapter<GcpKinds>> {
    const raw = await readParameter(opts.ssm, opts.parameter, {
      signal,
      ...(opts.cacheMs !== undefined ? { cacheMs: opts.cacheMs } : {}),
    });
    if (built?.raw !== raw) {
      const adapter = build(raw);
      const entry = { raw, adapter };
      built = entry;
      // a failed build is not kept: the next call reads and tries again
      adapter.catch(() => {
        if (built === entry) built = undefined;
      });
    }
    return built!.adapter;
  }

  return {
    name: pure.name,
    capabilities: () => pure.capabilities(),
    render: (lb) => pure.render(lb),
    diffSpec: pure.diffSpec,
    observe: async (key, o) => (await current(o.signal)).observe(key, o),
    apply: async (plan, o) => (await current(o.signal)).apply(plan, o),
    listOwnedKeys: async (cluster, o) => {
      const adapter = await current(o.signal);
      // no listing: say so (complete: false), so that resync concludes nothing from it
      return adapter.listOwnedKeys ? adapter.listOwnedKeys(cluster, o) : { keys: [], complete: false };
    },
  };
}

/**
 * The deployed functions' gcp-compute adapter: config from the SSM parameter `parameter`, read with
 * `deps.ssm` or a client for `AWS_REGION` (honouring `AWS_ENDPOINT_URL_SSM`).
 */
export async function gcpAdapterFromSsm(
  env: Env,
  parameter: string,
  deps: { ssm?: SSMClient; descriptor?: GcpDescriptor } = {},
): Promise<AnyLoadBalancerAdapter> {
  let ssm = deps.ssm;
  if (!ssm) {
    const { SSMClient } = await import('./ssm-client.js');
    ssm = new SSMClient({ region: regionOf(env) });
  }
  return lazyGcpAdapter({ descriptor: deps.descriptor ?? gcpCompute, ssm, parameter });
}
