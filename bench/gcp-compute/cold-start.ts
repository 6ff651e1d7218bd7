// Cold start of the GCP path in the reconcile function's bundle: cold-start-entry.ts bundled by
// esbuild with serverless.yml's custom.esbuild options (as serverless-esbuild passes them: code
// splitting, minified, the createRequire banner), then imported and called in fresh Node processes,
// each timing module load and the first observe against the Compute emulator from the inside.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { esbuildOptionsFromServerlessYml } from '../serverless-esbuild.js';
import type { ColdStartTimes } from './cold-start-entry.js';

const ROOT = join(import.meta.dirname, '../..');

export interface ColdStartResult {
  runs: ColdStartTimes[];
  /** The code a cold start can load: entry and chunks, in bytes. */
  bundleBytes: number;
}

/** Builds the entry and runs it `runs` times, each in a fresh process, against the emulator on `port`. */
export async function measureColdStart(
  port: number,
  project: string,
  lb: LoadBalancer,
  runs: number,
): Promise<ColdStartResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'portico-gcp-cold-'));
  try {
    const built = await build({
      ...esbuildOptionsFromServerlessYml().options,
      entryPoints: [join(import.meta.dirname, 'cold-start-entry.ts')],
      outdir,
      absWorkingDir: ROOT,
    });
    const outputs = Object.entries(built.metafile!.outputs).filter(([f]) => !f.endsWith('.map'));
    const bundleBytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
    const entry = join(outdir, 'cold-start-entry.mjs');
    const script = `const { coldStart } = await import(${JSON.stringify(pathToFileURL(entry).href)}); const r = await coldStart(${port}, ${JSON.stringify(project)}, JSON.parse(process.env.LB)); process.stdout.write(JSON.stringify(r));`;
    const samples: ColdStartTimes[] = [];
    for (let i = 0; i < runs; i++) {
      // asynchronously: the emulator answering the child runs in this process
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', LB: JSON.stringify(lb) },
        timeout: 60_000,
      });
      samples.push(JSON.parse(stdout) as ColdStartTimes);
    }
    return { runs: samples, bundleBytes };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
