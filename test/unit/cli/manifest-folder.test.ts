import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestFolder } from '#cli/manifest-folder.js';
import { problemText } from '#cli/manifests.js';

const route = (name: string, path: string, port: number | string = 80) =>
  `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: demo}
spec:
  parentRefs: [{name: shop}]
  rules:
    - matches: [{path: {type: PathPrefix, value: ${path}}}]
      backendRefs: [{name: api, port: ${port}}]
`;

/** `name path` of every HTTPRoute given to the pipeline. */
function routes(objects: unknown[]): string[] {
  return objects
    .filter((o) => (o as { kind: string }).kind === 'HTTPRoute')
    .map((o) => {
      const r = o as {
        metadata: { name: string };
        spec: { rules: { matches: { path: { value: string } }[] }[] };
      };
      return `${r.metadata.name} ${r.spec.rules[0]!.matches[0]!.path.value}`;
    });
}

function folderWith(files: Record<string, string>): { dir: string; folder: ManifestFolder } {
  const dir = mkdtempSync(join(tmpdir(), 'portico-folder-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, folder: new ManifestFolder(dir) };
}

describe('cli: ManifestFolder', () => {
  it('keeps the last good objects of a file that stops parsing, says where, and reads it again once fixed', async () => {
    const { dir, folder } = folderWith({ 'r.yaml': `${route('api', '/api')}---\n${route('web', '/web')}` });
    expect(routes((await folder.load()).objects)).toEqual(['api /api', 'web /web']);

    // A typo appended to the file, as in issue 13: the second document no longer parses.
    const good = readFileSync(join(dir, 'r.yaml'), 'utf8');
    appendFileSync(join(dir, 'r.yaml'), '  - {oops: [\n');
    const broken = await folder.load();
    expect(routes(broken.objects)).toEqual(['api /api', 'web /web']);
    expect(broken.errors.map(problemText)).toEqual([
      expect.stringMatching(
        /^r\.yaml:18:1: document 2: .+; keeping the 2 objects of its last good version until it is fixed$/,
      ),
    ]);

    // Fixed with a change: the change is read.
    writeFileSync(join(dir, 'r.yaml'), good.replace('/web', '/www'));
    const fixed = await folder.load();
    expect(fixed.errors).toEqual([]);
    expect(fixed.fixed).toEqual(['r.yaml']);
    expect(routes(fixed.objects)).toEqual(['api /api', 'web /www']);
  });

  it('keeps the last valid version of an object that fails its schema, naming the file, line, object and field', async () => {
    const { dir, folder } = folderWith({ 'r.yaml': `${route('api', '/api')}---\n${route('web', '/web')}` });
    await folder.load();
    writeFileSync(join(dir, 'r.yaml'), `${route('api', '/v2')}---\n${route('web', '/web2', '"eighty"')}`);
    const loaded = await folder.load();
    // The valid edit is taken, the invalid one is not.
    expect(routes(loaded.objects)).toEqual(['api /v2', 'web /web']);
    expect(loaded.errors.map(problemText)).toEqual([
      expect.stringMatching(
        /^r\.yaml:17:33: HTTPRoute demo\/web spec\.rules\[0\]\.backendRefs\[0\]\.port: .+; keeping its last valid version until it is fixed$/,
      ),
    ]);
    expect([...loaded.invalid]).toEqual(['HTTPRoute demo/web']);
  });

  it('passes on an object that was never valid, for the core to report, and forgets deleted objects', async () => {
    const { dir, folder } = folderWith({ 'a.yaml': route('bad', '/bad', 'x'), 'b.yaml': route('b', '/b') });
    const first = await folder.load();
    expect(routes(first.objects)).toEqual(['bad /bad', 'b /b']);
    expect(first.errors.map(problemText)).toEqual([
      expect.stringMatching(/^a\.yaml:8:\d+: HTTPRoute demo\/bad .+; the object is ignored$/),
    ]);
    // b.yaml deleted, then written again invalid: nothing of it comes back.
    rmSync(join(dir, 'b.yaml'));
    expect(routes((await folder.load()).objects)).toEqual(['bad /bad']);
    writeFileSync(join(dir, 'b.yaml'), route('b', '/b', 'x'));
    const again = await folder.load();
    expect(again.errors.map(problemText)).toContainEqual(
      expect.stringMatching(/HTTPRoute demo\/b .+; the object is ignored$/),
    );
  });

  it('takes the last of two files that hold the same object, and says so', async () => {
    const { folder } = folderWith({
      'a.yaml': route('api', '/from-a'),
      'b.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n${route('api', '/from-b')}`,
    });
    const loaded = await folder.load();
    expect(routes(loaded.objects)).toEqual(['api /from-b']);
    expect(loaded.warnings.map(problemText)).toEqual([
      'a.yaml:1:1: HTTPRoute demo/api is defined again in b.yaml:5:1, which wins (the last one in file name order): this one is ignored',
    ]);
  });
});
