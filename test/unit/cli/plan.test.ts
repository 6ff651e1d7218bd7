import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '#cli/commands/plan.js';
import { checkGolden } from '#test/support/golden.js';

const examples = join(import.meta.dirname, '../../../examples');

describe('portico plan', () => {
  it('shows what an empty AWS account would get for the AWS example, without errors', async () => {
    const lines: string[] = [];
    const code = await runPlan({
      manifests: join(examples, 'aws-elbv2'),
      provider: 'aws-elbv2',
      log: (l) => lines.push(l),
    });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toContain('Plan for local/Gateway/shop/shop:');
    expect(text).toContain('Plan: 10 to add, 0 to change, 0 to replace, 0 to destroy.');
    expect(text).toContain('Plan for local/Service/shop/db:');
    expect(text).toMatch(/\+ create {3}aws-elbv2\/load-balancer\/k8s-shop-shop-/);
    // The whole plan, reviewed as a diff when it changes (UPDATE_GOLDEN=1 regenerates it).
    const golden = checkGolden(
      join(import.meta.dirname, '../../golden/plan-cli/aws-elbv2-example.plan.txt'),
      `${text}\n`,
    );
    expect(golden.actual).toBe(golden.expected);
  });

  it('says so when no load balancer uses the provider, and refuses an unknown provider', async () => {
    const lines: string[] = [];
    expect(
      await runPlan({
        manifests: join(examples, 'quickstart'),
        provider: 'aws-elbv2',
        log: (l) => lines.push(l),
      }),
    ).toBe(0);
    expect(lines.join('\n')).toContain('No load balancer');
    expect(await runPlan({ manifests: join(examples, 'quickstart'), provider: 'azure', log: () => {} })).toBe(
      2,
    );
  });
});
