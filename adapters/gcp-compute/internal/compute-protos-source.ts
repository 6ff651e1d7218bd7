// compute-protos.json's content, read from the installed @google-cloud/compute (12 MB of protos: used
// by the script that writes the file and by the test that checks it, never by the adapter).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  COMPUTE_SERVICES,
  type ComputeProtos,
  type ProtoNamespace,
  pruneComputeProtos,
  snakeCase,
} from './compute-protos.js';

export function computeProtosFromLibrary(): ComputeProtos {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@google-cloud/compute/package.json'));
  const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as unknown;
  const { version } = read('package.json') as { version: string };
  const full = read('build/protos/protos.json') as ProtoNamespace;
  const configs = Object.fromEntries(
    COMPUTE_SERVICES.map((s) => [s, read(`build/src/v1/${snakeCase(s)}_client_config.json`)]),
  );
  return { version, protos: pruneComputeProtos(full, COMPUTE_SERVICES), configs };
}

/**
 * compute-protos-data.ts's text: the JSON as one string (JSON.parse of a string loads faster than the
 * same object as a literal, and a .ts module is bundled and type-checked like any other).
 */
export function computeProtosModule(protos: ComputeProtos): string {
  return `// Written by \`npm run gcp-compute:protos\` (scripts/gcp-compute-protos.ts) from @google-cloud/compute ${protos.version}: do not edit.
// What it holds and why: compute-protos.ts.

export const COMPUTE_PROTOS_JSON =
  '${JSON.stringify(protos).replace(/[\\']/g, (c) => `\\${c}`)}';
`;
}
