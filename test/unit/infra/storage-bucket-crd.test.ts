import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KINDS } from '#core/model/bundle.js';
import { bucketNameProblem } from '#core/model/storage-bucket.js';

const FILE = fileURLToPath(new URL('../../../infra/crds/storagebuckets.portico.dev.yaml', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: a parsed manifest, inspected by the assertions
const crd: any = parse(readFileSync(FILE, 'utf8'));
const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;

describe('the StorageBucket CRD', () => {
  it('is the kind core/model reads: group, scope, plural the forwarder watches', () => {
    expect(crd.spec.group).toBe(KINDS.StorageBucket.group);
    expect(crd.spec.scope).toBe(KINDS.StorageBucket.namespaced ? 'Namespaced' : 'Cluster');
    expect(crd.spec.names).toMatchObject({ kind: 'StorageBucket', plural: 'storagebuckets' });
    expect(
      readFileSync(new URL('../../../infra/forwarder/20-clusterrole.yaml', import.meta.url), 'utf8'),
    ).toMatch(/storagebuckets/);
  });

  it('rejects unknown spec fields and requires bucketName, as the core does', () => {
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties.cdn.additionalProperties).toBe(false);
    expect(spec.required).toEqual(['bucketName']);
  });

  it("checks bucket names with the core's length and character rules", () => {
    const b = spec.properties.bucketName;
    const crdAccepts = (name: string) =>
      name.length >= b.minLength && name.length <= b.maxLength && new RegExp(b.pattern).test(name);
    // Names whose only possible fault is their length or characters: both sides agree.
    for (const name of ['abc', 'a-b_c.d', 'shop-assets', 'ab', 'Abc', '-ab', 'ab-', 'a b', 'x'.repeat(223)])
      expect(crdAccepts(name), name).toBe(bucketNameProblem(name) === undefined);
    expect(b['x-kubernetes-validations'].map((v: { message: string }) => v.message)).toEqual([
      'a name without dots is at most 63 characters',
      'each dot-separated part is 1 to 63 characters',
      'must not look like an IP address',
      'must not start with "goog" or contain "google" or a look-alike',
    ]);
  });
});
