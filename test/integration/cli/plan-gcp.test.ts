// `portico plan --observe --provider gcp-compute` against the Compute emulator (read only, through
// the adapter's reader): no change for what the project already runs, an edit's change and a
// Gateway nothing asks for any more planned for deletion, with no mutating call.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { runPlan } from '#cli/commands/plan.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from '#test/emulators/gcp-compute/index.js';
import {
  adapterOn,
  gatewayLb,
  inventory,
  manifests,
  PROJECT,
} from '#test/integration/gcp-compute/fixtures.js';

const KEY = 'it/Gateway/shop/web';

async function plan(options: Omit<Parameters<typeof runPlan>[0], 'log'>) {
  const lines: string[] = [];
  const code = await runPlan({ ...options, log: (l) => lines.push(l) });
  return { code, text: lines.join('\n') };
}

function summaries(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^Plan for (\S+):[\s\S]*?^(No changes\.|Plan: .*)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe('portico plan --observe: gcp-compute against the emulator', () => {
  let emu: GcpComputeEmulator;
  let dir: string;
  const observe = (gcpProject?: string) => ({
    ...(gcpProject ? { gcpProject } : {}),
    gcpClientOptions: {
      apiEndpoint: '127.0.0.1',
      port: emu.port,
      protocol: 'http' as const,
      authClient: new PassThroughClient(),
    },
  });
  const folder = (name: string, objects: unknown[]) => {
    const path = join(dir, name);
    mkdirSync(path);
    writeFileSync(join(path, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    return path;
  };

  beforeAll(async () => {
    emu = await startGcpComputeEmulator({ operationDelayMs: 1 });
    dir = mkdtempSync(join(tmpdir(), 'portico-plan-gcp-'));
    // Program the Gateway, as the reconcile function of cluster `it` would have.
    const adapter = adapterOn(emu);
    const lb = gatewayLb();
    expect(lb.key).toBe(KEY);
    await reconcileLoadBalancer({ key: KEY, lb, adapter, signal: new AbortController().signal });
    await adapter.close();
  }, 60_000);

  afterAll(async () => {
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans no change for what the project already runs (project from the parameters), reading only', async () => {
    emu.resetStats();
    const { code, text } = await plan({
      manifests: folder('same', manifests()),
      provider: 'gcp-compute',
      cluster: 'it',
      observe: observe(),
    });
    expect(code, text).toBe(0);
    expect(summaries(text)).toEqual({ [KEY]: 'No changes.' });
    expect(emu.stats().mutating).toBe(0);
    expect(emu.stats().read).toBeGreaterThan(0);
  });

  it('plans an added route, and the delete of a Gateway nothing asks for, changing nothing', async () => {
    const before = inventory(emu);
    emu.resetStats();
    const edited = await plan({
      manifests: folder('edited', manifests({ extraRoute: true })),
      provider: 'gcp-compute',
      cluster: 'it',
      observe: observe(PROJECT),
    });
    expect(edited.code, edited.text).toBe(0);
    expect(summaries(edited.text)[KEY]).toMatch(
      /^Plan: [1-9]\d* to add, 1 to change, 0 to replace, 0 to destroy\.$/,
    );
    expect(edited.text).toContain('/admin');

    const gone = await plan({
      manifests: folder(
        'gone',
        manifests().filter((o) => (o as { kind: string }).kind !== 'Gateway'),
      ),
      provider: 'gcp-compute',
      cluster: 'it',
      observe: observe(PROJECT),
    });
    expect(gone.code, gone.text).toBe(0);
    expect(gone.text).toContain('No load balancer');
    expect(summaries(gone.text)[KEY]).toMatch(
      /^Plan: 0 to add, 0 to change, 0 to replace, [1-9]\d* to destroy\.$/,
    );
    expect(emu.stats().mutating).toBe(0);
    expect(inventory(emu)).toEqual(before);
  });

  it('asks for a project when the manifests name none', async () => {
    const noGateway = manifests().filter((o) => (o as { kind: string }).kind !== 'Gateway');
    const { code, text } = await plan({
      manifests: folder('none', noGateway),
      provider: 'gcp-compute',
      cluster: 'it',
      observe: { gcpClientOptions: observe().gcpClientOptions },
    });
    expect(code).toBe(2);
    expect(text).toContain('give --gcp-project');
  });
});
