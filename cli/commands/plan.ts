import { elbv2PureHalf } from '#adapters/aws-elbv2/adapter.js';
import { haproxyDiffSpec } from '#adapters/haproxy/diff-spec.js';
import { renderHaproxy } from '#adapters/haproxy/render.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { translate } from '#core/translate/translate.js';
import { loadManifests } from '../manifests.js';
import { noticeLine } from '../status-report.js';

/** The pure half of each provider: enough to show what would be created, with no credentials. */
type PureHalf = Pick<AnyLoadBalancerAdapter, 'render' | 'diffSpec'>;
const PROVIDERS: Record<string, PureHalf> = {
  'aws-elbv2': elbv2PureHalf(),
  haproxy: {
    render: (lb) => renderHaproxy(lb, { address: '<allocated on apply>' }),
    diffSpec: haproxyDiffSpec,
  },
};

export interface PlanOptions {
  manifests: string;
  provider: string;
  log: (line: string) => void;
}

/**
 * `portico plan`: what the provider would get for a folder of manifests, rendered like a Terraform
 * plan, against an empty account (nothing is read or changed anywhere). Returns the exit code:
 * 0 when every load balancer of that provider renders without an error.
 */
export async function runPlan(options: PlanOptions): Promise<number> {
  const provider = PROVIDERS[options.provider];
  if (!provider) {
    options.log(
      `portico plan: unknown provider ${options.provider} (one of ${Object.keys(PROVIDERS).join(', ')})`,
    );
    return 2;
  }
  const { objects, problems } = await loadManifests(options.manifests);
  for (const p of problems) options.log(`error: ${p.file}: ${p.message}`);
  const result = translate(objects);
  for (const n of result.notices) if (n.severity !== 'info') options.log(noticeLine(n));
  const lbs = result.loadBalancers.filter((lb) => lb.provider === options.provider);
  if (lbs.length === 0)
    options.log(`No load balancer in ${options.manifests} uses the ${options.provider} provider.`);
  let errors = problems.length;
  for (const lb of lbs) {
    const rendered = provider.render(lb);
    for (const n of rendered.notices) {
      options.log(noticeLine(n));
      if (n.severity === 'error') errors++;
    }
    options.log(
      renderPlan(planChanges(rendered.resources, [], provider.diffSpec, { lbKey: lb.key }), {
        values: true,
      }).trimEnd(),
    );
    options.log('');
  }
  return errors > 0 ? 1 : 0;
}
