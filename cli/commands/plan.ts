import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { GcpClientOptions } from '#adapters/gcp-compute/adapter.js';
import {
  isRegisteredProvider,
  PROVIDERS,
  providerNames,
  type RegisteredProvider,
} from '#adapters/registry.js';
import type { AdapterReader, AnyKinds, ObservedResource, PureAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { translate } from '#core/translate/translate.js';
import { loadManifests, problemText } from '../manifests.js';
import { noticeLine } from '../status-report.js';

export interface PlanOptions {
  provider: string;
  /** The objects: a folder of manifests, or a cluster (exactly one of the two). */
  manifests?: string;
  kubeconfig?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  /** The cluster id of the load-balancer keys (the forwarder's `--cluster`; default `local`). */
  cluster?: string;
  /**
   * Plan against what the provider really runs (read only: observe, never apply) instead of an
   * empty account. Absent: nothing is read anywhere.
   */
  observe?: PlanObserveOptions;
  log: (line: string) => void;
}

export interface PlanObserveOptions {
  /** aws-elbv2: the region to read (default AWS_REGION); credentials from the default AWS chain. */
  region?: string;
  /** aws-elbv2: the client to read with (default: one of `region`, default credential chain). */
  elbv2Client?: ElasticLoadBalancingV2Client;
  /** haproxy: the adapter's state directory (`portico dev --state-dir`, default `.portico`). */
  stateDir?: string;
  /** gcp-compute: the project to read (default: the one the load balancers' parameters name). */
  gcpProject?: string;
  /** gcp-compute: where the Compute API is and how to sign (default: compute.googleapis.com, ADC). */
  gcpClientOptions?: GcpClientOptions;
}

/** The plan cannot run as asked (exit code 2). */
export class PlanUsageError extends Error {
  override readonly name = 'PlanUsageError';
}

/**
 * How `portico plan --observe` reads each provider: its reader, with options from the command line's.
 * A provider without an entry is planned against an empty account only.
 */
const READERS: {
  [P in RegisteredProvider]?: (
    o: PlanObserveOptions,
    cluster: string,
    lbs: readonly LoadBalancer[],
  ) => Promise<AdapterReader<AnyKinds>>;
} = {
  async 'aws-elbv2'(o, cluster) {
    const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new PlanUsageError('aws-elbv2: give --region (or set AWS_REGION) to read the account');
    const { reader } = PROVIDERS['aws-elbv2'];
    if (!reader) throw new PlanUsageError('aws-elbv2 cannot be read by portico plan');
    return reader({ client: o.elbv2Client ?? (await elbv2Client(region)), region, cluster });
  },
  async 'gcp-compute'(o, cluster, lbs) {
    const project = o.gcpProject ?? projectOf(lbs);
    const { reader } = PROVIDERS['gcp-compute'];
    if (!reader) throw new PlanUsageError('gcp-compute cannot be read by portico plan');
    let clientOptions = o.gcpClientOptions ?? {};
    if (!clientOptions.authClient) {
      const { applicationDefaultCredentials } = await import('../gcp-default-credentials.js');
      clientOptions = { ...clientOptions, authClient: await applicationDefaultCredentials() };
    }
    return reader({ project, clientOptions, cluster });
  },
  async haproxy(o) {
    const { reader } = PROVIDERS.haproxy;
    if (!reader) throw new PlanUsageError('haproxy cannot be read by portico plan');
    return reader({ stateDir: o.stateDir ?? '.portico' });
  },
};

/** The one project the load balancers' LoadBalancerParameters name (gcpCompute.project). */
function projectOf(lbs: readonly LoadBalancer[]): string {
  const named = [
    ...new Set(lbs.map((lb) => lb.providerParameters.project).filter((p) => typeof p === 'string')),
  ];
  if (named.length === 1) return named[0] as string;
  throw new PlanUsageError(
    named.length === 0
      ? 'gcp-compute: give --gcp-project (no LoadBalancerParameters names a project)'
      : `gcp-compute: the load balancers name ${named.length} projects; give --gcp-project to read one`,
  );
}

async function elbv2Client(region: string): Promise<ElasticLoadBalancingV2Client> {
  const { ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return new ElasticLoadBalancingV2Client({ region });
}

/**
 * `portico plan`: what the provider would get for a folder of manifests or a cluster, rendered like a
 * Terraform plan. Against an empty account by default (nothing is read or changed anywhere); with
 * `observe`, against what the provider really runs, read through the adapter's observe (never
 * apply), with the load balancers it holds that nothing asks for any more planned for deletion.
 * Returns the exit code: 0 when every load balancer of that provider renders without an error and
 * the provider could be read in full, 1 otherwise, 2 for a command that cannot run.
 */
export async function runPlan(options: PlanOptions): Promise<number> {
  const { log } = options;
  if (!isRegisteredProvider(options.provider)) {
    log(`portico plan: unknown provider ${options.provider} (one of ${providerNames().join(', ')})`);
    return 2;
  }
  const provider = options.provider;
  try {
    const source = await loadObjects(options);
    const cluster = options.cluster ?? 'local';
    let errors = source.problems.length;
    const result = translate(source.objects, { cluster });
    for (const n of result.notices) if (n.severity !== 'info') log(noticeLine(n));
    const lbs = result.loadBalancers.filter((lb) => lb.provider === provider);
    const readerOf = READERS[provider];
    if (options.observe && !readerOf) throw new PlanUsageError(`${provider} cannot be read by portico plan`);
    const read: AdapterReader<AnyKinds> | undefined =
      options.observe && readerOf ? await readerOf(options.observe, cluster, lbs) : undefined;
    const adapter: PureAdapter<AnyKinds> = read ?? (await PROVIDERS[provider].pure());
    if (lbs.length === 0) log(`No load balancer in ${source.name} uses the ${provider} provider.`);
    const signal = new AbortController().signal;

    for (const lb of lbs) {
      const rendered = adapter.render(lb);
      for (const n of rendered.notices) {
        log(noticeLine(n));
        if (n.severity === 'error') errors++;
      }
      let observed: ObservedResource<AnyKinds>[] = [];
      if (read) {
        const seen = await read.observe(lb.key, { signal, desired: rendered.resources });
        if (!seen.complete) {
          errors++;
          log(`warning: ${lb.key}: ${provider} could not be read in full: the plan may be incomplete`);
        }
        observed = seen.resources;
      }
      log(
        renderPlan(planChanges(rendered.resources, observed, adapter.diffSpec, { lbKey: lb.key }), {
          values: true,
        }).trimEnd(),
      );
      log('');
    }
    if (read) errors += await planOrphans(read, cluster, new Set(lbs.map((lb) => lb.key)), provider, log);
    return errors > 0 ? 1 : 0;
  } catch (err) {
    if (!(err instanceof PlanUsageError)) throw err;
    log(`portico plan: ${err.message}`);
    return 2;
  }
}

/** Load balancers the provider holds for the cluster that nothing asks for any more: their deletes. */
async function planOrphans(
  read: AdapterReader<AnyKinds>,
  cluster: string,
  wanted: ReadonlySet<LbKey>,
  provider: string,
  log: (line: string) => void,
): Promise<number> {
  if (!read.listOwnedKeys) return 0;
  const signal = new AbortController().signal;
  const owned = await read.listOwnedKeys(cluster, { signal });
  let errors = 0;
  if (!owned.complete) {
    errors++;
    log(`warning: ${provider} could not list everything it holds: load balancers to delete may be missing`);
  }
  for (const key of owned.keys.filter((k) => !wanted.has(k))) {
    const seen = await read.observe(key, { signal, desired: [] });
    if (!seen.complete) errors++;
    log(
      renderPlan(planChanges([], seen.resources, read.diffSpec, { lbKey: key }), { values: true }).trimEnd(),
    );
    log('');
  }
  return errors;
}

interface LoadedObjects {
  /** What was read, for messages. */
  name: string;
  objects: unknown[];
  problems: unknown[];
}

async function loadObjects(options: PlanOptions): Promise<LoadedObjects> {
  if (!options.manifests === !options.kubeconfig)
    throw new PlanUsageError('give exactly one of --manifests DIR and --kubeconfig FILE');
  if (options.manifests) {
    const { objects, problems, warnings } = await loadManifests(options.manifests);
    for (const p of problems) options.log(`error: ${problemText(p)}`);
    for (const w of warnings) options.log(`warning: ${problemText(w)}`);
    return { name: options.manifests, objects, problems };
  }
  const [{ ClusterSource }, { loadKubeConfig }] = await Promise.all([
    import('#kube/cluster-source.js'),
    import('#kube/load-kube-config.js'),
  ]);
  const source = new ClusterSource({ kubeConfig: loadKubeConfig(options.kubeconfig!, options.context) });
  try {
    await source.start(AbortSignal.timeout(60_000));
    return { name: 'the cluster', objects: [...source.objects()], problems: [] };
  } finally {
    await source.stop();
  }
}
