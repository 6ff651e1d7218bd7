// compute-protos-data.ts is what `npm run gcp-compute:protos` writes from the installed library (an
// upgrade of @google-cloud/compute that changes a type the adapter reaches fails here), and pruning
// keeps every type a service reaches and nothing of the 4,600 others.

import { describe, expect, it } from 'vitest';
import {
  COMPUTE_SERVICES,
  type ComputeProtos,
  packageOf,
  pruneComputeProtos,
} from '#adapters/gcp-compute/internal/compute-protos.js';
import { COMPUTE_PROTOS_JSON } from '#adapters/gcp-compute/internal/compute-protos-data.js';
import {
  computeProtosFromLibrary,
  computeProtosModule,
} from '#adapters/gcp-compute/internal/compute-protos-source.js';

describe('compute-protos-data.ts', () => {
  it('is what the script writes from the installed @google-cloud/compute', async () => {
    const { readFile } = await import('node:fs/promises');
    const fromLibrary = computeProtosFromLibrary();
    const committed = JSON.parse(COMPUTE_PROTOS_JSON) as ComputeProtos;
    expect(committed.version).toBe(fromLibrary.version);
    expect(committed).toEqual(fromLibrary);
    const file = new URL('../../../../adapters/gcp-compute/internal/compute-protos-data.ts', import.meta.url);
    expect(await readFile(file, 'utf8')).toBe(computeProtosModule(fromLibrary));
  });

  it('holds the services the adapter calls and the types they reach, and a service alone prunes to less', () => {
    const { protos } = JSON.parse(COMPUTE_PROTOS_JSON) as ComputeProtos;
    const types = packageOf(protos);
    for (const s of COMPUTE_SERVICES) expect(types[s]?.methods, s).toBeDefined();
    expect(types.UrlMap?.fields?.pathMatchers).toEqual(expect.objectContaining({ type: 'PathMatcher' }));
    expect(types.Operation?.nested?.Status).toBeDefined();
    expect(Object.keys(types).length).toBeLessThan(500);
    // v1beta and services the adapter never calls are left out
    expect(types.Instances).toBeUndefined();
    expect(protos.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1beta).toBeUndefined();
    const urlMapsOnly = packageOf(pruneComputeProtos(protos, ['UrlMaps']));
    expect(urlMapsOnly.UrlMap).toBeDefined();
    expect(urlMapsOnly.BackendService).toBeUndefined();
    expect(Object.keys(urlMapsOnly).length).toBeLessThan(Object.keys(types).length);
  });

  it('refuses a service that is not there, naming it', () => {
    const { protos } = JSON.parse(COMPUTE_PROTOS_JSON) as ComputeProtos;
    expect(() => pruneComputeProtos(protos, ['Instances'])).toThrow(
      'google.cloud.compute.v1 has no service Instances',
    );
  });
});
