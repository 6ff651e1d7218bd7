import { describe, expect, it } from 'vitest';
import { ALB_CAPABILITIES, NLB_CAPABILITIES } from '#adapters/aws-elbv2/capabilities.js';
import { unsupportedFeatures, withoutUnsupported } from '#adapters/capabilities.js';
import { FAKE_CAPABILITIES } from '#adapters/fake/capabilities.js';
import { GCP_CAPABILITIES } from '#adapters/gcp-compute/capabilities.js';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { PROVIDERS } from '#adapters/registry.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
import { translate } from '#core/translate/translate.js';

// A route served from a Cloud Storage bucket: only GCP can program it. The others refuse the route
// whole, with a notice that names the bucket, and the route's status says so.

const objects = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico', generation: 1 },
    spec: { controllerName: 'portico.dev/gateway-controller' },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'static', namespace: 'shop', generation: 4 },
    spec: {
      parentRefs: [{ name: 'web' }],
      rules: [{ backendRefs: [{ group: 'portico.dev', kind: 'StorageBucket', name: 'assets' }] }],
    },
  },
  {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'StorageBucket',
    metadata: { name: 'assets', namespace: 'shop' },
    spec: { bucketName: 'shop-assets' },
  },
];

describe('backend buckets', () => {
  const { loadBalancers, statuses } = translate(objects);
  const lb = loadBalancers[0]!;

  it.each([
    ['haproxy', HAPROXY_CAPABILITIES],
    ['aws-elbv2 (ALB)', ALB_CAPABILITIES],
    ['aws-elbv2 (NLB)', NLB_CAPABILITIES],
    ['fake', FAKE_CAPABILITIES],
  ])('%s refuses the route whole, naming the bucket', (name, caps) => {
    const notices = unsupportedFeatures(lb, caps, name).filter((n) => n.feature === 'action/backend-bucket');
    expect(notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'UnsupportedValue',
        route: 'httproute/shop/static/rule/0/match/0',
        message: `the ${name} provider does not support Cloud Storage bucket backends (StorageBucket shop/assets)`,
      }),
    ]);
    expect(withoutUnsupported(lb, notices).listeners[0]!.routes).toEqual([]);
  });

  it('GCP declares them', () => {
    expect(GCP_CAPABILITIES.backendBuckets).toBe(true);
    expect(
      unsupportedFeatures(lb, GCP_CAPABILITIES).filter((n) => n.feature === 'action/backend-bucket'),
    ).toEqual([]);
  });

  it('on HAProxy the route is rendered nowhere and gets Accepted=False, UnsupportedValue', async () => {
    const haproxy = await PROVIDERS.haproxy.pure();
    const rendered = haproxy.render(lb);
    expect(JSON.stringify(rendered.resources)).not.toContain('shop/assets');
    const after = applyProviderNotices(statuses, lb, 'haproxy', rendered.notices);
    const route = after.find((s) => s.kind === 'HTTPRoute' && s.name === 'static')!;
    const accepted = (
      route.status as { parents: { conditions: { type: string }[] }[] }
    ).parents[0]!.conditions.find((c) => c.type === 'Accepted');
    expect(accepted).toMatchObject({
      status: 'False',
      reason: 'UnsupportedValue',
      message: expect.stringContaining('Cloud Storage bucket backends (StorageBucket shop/assets)'),
    });
  });
});
