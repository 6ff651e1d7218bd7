// Writes adapters/gcp-compute/internal/compute-protos-data.ts from the installed @google-cloud/compute:
// the services the adapter calls, the types they reach, the library's client configs. Run after
// upgrading the library (test/unit/adapters/gcp-compute/compute-protos.test.ts says when).
//   npm run gcp-compute:protos

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  computeProtosFromLibrary,
  computeProtosModule,
} from '#adapters/gcp-compute/internal/compute-protos-source.js';

const out = fileURLToPath(
  new URL('../adapters/gcp-compute/internal/compute-protos-data.ts', import.meta.url),
);
const protos = computeProtosFromLibrary();
writeFileSync(out, computeProtosModule(protos));
console.log(
  `wrote ${out}: @google-cloud/compute ${protos.version}, ${Object.keys(protos.configs).length} services`,
);
