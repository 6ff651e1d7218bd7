// `portico plan` against the real world: the AWS example against the stateful ELBv2 emulator (real
// SDK, read only), and objects read from a cluster (the local Kubernetes API server) planned against
// an empty HAProxy and against the state a real HAProxy adapter left.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { reconcileKey } from '#adapters/reconcile-key.js';
import { PROVIDERS } from '#adapters/registry.js';
import { runPlan } from '#cli/commands/plan.js';
import { translate } from '#core/translate/translate.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { manifests, VPC } from '#test/integration/aws-elbv2/fixtures.js';
import {
  endpointSlice,
  gateway,
  gatewayClass,
  httpRoute,
  type KubeFixture,
  service,
  startKube,
} from '#test/integration/kube/support.js';

const EXAMPLE = join(import.meta.dirname, '../../../examples/aws-elbv2');
const REGION = 'eu-west-1';
const signal = new AbortController().signal;

async function plan(options: Omit<Parameters<typeof runPlan>[0], 'log'>) {
  const lines: string[] = [];
  const code = await runPlan({ ...options, log: (l) => lines.push(l) });
  return { code, text: lines.join('\n') };
}

/** `Plan for <key>:` sections and their summary lines. */
function summaries(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^Plan for (\S+):[\s\S]*?^(No changes\.|Plan: .*)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe('portico plan --observe: aws-elbv2 against the emulator', () => {
  let emu: Elbv2Emulator;
  let client: ElasticLoadBalancingV2Client;
  let dir: string;
  const KEY = 'it/Gateway/shop/web';
  const observe = () => ({ region: REGION, elbv2Client: client });

  /** The fixture's manifests, edited, as a folder `portico plan` reads. */
  function folder(name: string, objects: unknown[]): string {
    const path = join(dir, name);
    mkdirSync(path);
    writeFileSync(join(path, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    return path;
  }

  beforeAll(async () => {
    emu = await startElbv2Emulator({ vpcId: VPC });
    client = createElbv2Client(emu, { region: REGION, maxAttempts: 3 });
    dir = mkdtempSync(join(tmpdir(), 'portico-plan-'));
    // Program the Gateway, as the reconcile function of cluster `it` would have.
    const adapter = await PROVIDERS['aws-elbv2'].create({ client, region: REGION, cluster: 'it' });
    const lb = translate(manifests(), { cluster: 'it' }).loadBalancers.find((l) => l.key === KEY);
    const done = await reconcileKey({
      key: KEY,
      lb,
      adapters: { 'aws-elbv2': adapter },
      allowDeletes: true,
      signal,
    });
    expect(done.outcome).toBe('reconciled');
  });

  afterAll(async () => {
    client?.destroy();
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans no change for what the account already runs, with read calls only', async () => {
    emu.resetStats();
    const same = folder('same', manifests());
    const { code, text } = await plan({
      manifests: same,
      provider: 'aws-elbv2',
      cluster: 'it',
      observe: observe(),
    });
    expect(code).toBe(0);
    expect(summaries(text)).toEqual({ [KEY]: 'No changes.' });
    expect(emu.stats().mutating).toBe(0);
    expect(emu.stats().read).toBeGreaterThan(0);
  });

  it('plans the change of an edit, and the delete of a Gateway nothing asks for, changing nothing', async () => {
    const before = emu.service.counts(REGION);
    emu.resetStats();
    const moved = manifests().map((o) =>
      isKind(o, 'Gateway')
        ? { ...o, spec: { ...o.spec, listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] } }
        : o,
    );
    const edited = await plan({
      manifests: folder('edited', moved),
      provider: 'aws-elbv2',
      cluster: 'it',
      observe: observe(),
    });
    expect(edited.code).toBe(0);
    expect(summaries(edited.text)[KEY]).toMatch(/^Plan: /);
    expect(edited.text).toContain('8080');

    const gone = await plan({
      manifests: folder(
        'gone',
        manifests().filter((o) => !isKind(o, 'Gateway')),
      ),
      provider: 'aws-elbv2',
      cluster: 'it',
      observe: observe(),
    });
    expect(gone.code).toBe(0);
    expect(gone.text).toContain('No load balancer');
    expect(summaries(gone.text)[KEY]).toMatch(
      /^Plan: 0 to add, 0 to change, 0 to replace, [1-9]\d* to destroy\.$/,
    );
    expect(emu.stats().mutating).toBe(0);
    expect(emu.service.counts(REGION)).toEqual(before);
  });

  it('asks for a region rather than guessing one', async () => {
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const { code, text } = await plan({ manifests: EXAMPLE, provider: 'aws-elbv2', observe: {} });
      expect(code).toBe(2);
      expect(text).toContain('give --region (or set AWS_REGION)');
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

describe('portico plan --kubeconfig: objects from a cluster', () => {
  let kube: KubeFixture;
  let stateDir: string;
  const KEY = 'local/Gateway/demo/web';

  beforeAll(async () => {
    kube = await startKube();
    const s = kube.server;
    s.create(gatewayClass());
    s.create(gateway('demo', 'web', 18_470));
    s.create(httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/app'));
    s.create(service('demo', 'app', 80));
    s.create(endpointSlice('demo', 'app', '127.0.0.1', 9));
    stateDir = mkdtempSync(join(tmpdir(), 'portico-plan-haproxy-'));
  });

  afterAll(async () => {
    await kube?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('plans what an empty HAProxy would get for the cluster, reading nothing else', async () => {
    const { code, text } = await plan({ kubeconfig: kube.kubeconfig, provider: 'haproxy' });
    expect(code).toBe(0);
    expect(summaries(text)[KEY]).toMatch(
      /^Plan: [1-9]\d* to add, 0 to change, 0 to replace, 0 to destroy\.$/,
    );
    expect(text).toContain('"address":"pool"'); // the preview's bind address: the pool allocates one on apply
    // Plan writes nothing into the cluster: no status.
    expect(kube.server.get('Gateway', 'demo', 'web')?.status).toBeUndefined();
  });

  it('plans no change against the state a real HAProxy adapter left, and the delete of a Gateway that went', async () => {
    const { objects } = { objects: await clusterObjects(kube) };
    const adapter = await PROVIDERS.haproxy.create({ stateDir, addressPool: '127.0.75.10-127.0.75.20' });
    try {
      const lb = translate(objects).loadBalancers.find((l) => l.key === KEY)!;
      const done = await reconcileKey({
        key: KEY,
        lb,
        adapters: { haproxy: adapter },
        allowDeletes: true,
        signal,
      });
      expect(done.outcome).toBe('reconciled');
    } finally {
      await adapter.stop();
    }
    const same = await plan({ kubeconfig: kube.kubeconfig, provider: 'haproxy', observe: { stateDir } });
    expect(same.code).toBe(0);
    expect(summaries(same.text)).toEqual({ [KEY]: 'No changes.' });

    kube.server.remove('Gateway', 'demo', 'web');
    const gone = await plan({ kubeconfig: kube.kubeconfig, provider: 'haproxy', observe: { stateDir } });
    expect(gone.code).toBe(0);
    expect(summaries(gone.text)[KEY]).toMatch(
      /^Plan: 0 to add, 0 to change, 0 to replace, [1-9]\d* to destroy\.$/,
    );
  });

  it('says which state directory it cannot read', async () => {
    const { code, text } = await plan({
      kubeconfig: kube.kubeconfig,
      provider: 'haproxy',
      observe: { stateDir: join(stateDir, 'missing') },
    }).catch((err: Error) => ({ code: -1, text: err.message }));
    expect(code).toBe(-1);
    expect(text).toContain(`${join(stateDir, 'missing')} is not a directory`);
  });
});

function isKind(
  o: unknown,
  kind: string,
): o is { kind: string; spec?: Record<string, unknown> & { type?: string } } {
  return typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === kind;
}

/** The cluster's objects, as `portico plan --kubeconfig` reads them. */
async function clusterObjects(kube: KubeFixture): Promise<unknown[]> {
  const { ClusterSource } = await import('#kube/cluster-source.js');
  const { loadKubeConfig } = await import('#kube/load-kube-config.js');
  const source = new ClusterSource({ kubeConfig: loadKubeConfig(kube.kubeconfig) });
  await source.start();
  try {
    return [...source.objects()];
  } finally {
    await source.stop();
  }
}
