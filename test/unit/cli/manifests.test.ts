import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, problemText } from '#cli/manifests.js';
import { ReadCache } from '#core/model/read-cache.js';
import { translate } from '#core/translate/translate.js';

const svc = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}\n`;

describe('cli: loadManifests', () => {
  it('reads multi-document YAML, JSON and Lists below a folder, and reports bad files without losing the rest', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.yaml'), `${svc('a')}---\n${svc('b')}`);
    writeFileSync(
      join(dir, 'sub', 'c.json'),
      JSON.stringify({
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } },
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'd' } },
        ],
      }),
    );
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    writeFileSync(
      join(dir, 'bomb.yaml'),
      `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [${Array(10)
            .fill(i === 0 ? '*a' : `*b${i - 1}`)
            .join(', ')}]`,
      ).join('\n')}\n`,
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    // Act
    const { objects, problems, files } = await loadManifests(dir);
    // Assess
    expect(objects.map((o) => (o as { metadata: { name: string } }).metadata.name)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(files).toBe(4);
    expect(problems.map((p) => p.file).sort()).toEqual(['bomb.yaml', 'broken.yaml']);
  });

  it('gives the line and column of a YAML error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
    writeFileSync(join(dir, 'gw.yaml'), `${svc('a')}---\n${svc('b')}  oops: [\n`);
    const { objects, problems } = await loadManifests(dir);
    expect(objects).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'gw.yaml', line: 10 });
    expect(problemText(problems[0]!)).toMatch(/^gw\.yaml:10:\d+: document 2: /);
  });

  it('says why a document is left out: not an object, an unknown kind, an unknown apiVersion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
    writeFileSync(
      join(dir, 'm.yaml'),
      [
        '- just\n- a list\n',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n',
        'apiVersion: networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n',
        'apiVersion: apps/v1\nkind: Service\nmetadata: {name: s}\n',
        'kind\n',
        svc('kept'),
      ].join('---\n'),
    );
    const { objects, problems, warnings } = await loadManifests(dir);
    expect(objects).toHaveLength(1);
    expect(problems).toEqual([]);
    expect(warnings.map(problemText)).toEqual([
      'm.yaml:1:1: document 1: it is a list, not an object: ignored',
      expect.stringMatching(
        /^m\.yaml:4:1: document 2: kind Deployment is not one Portico reads \(.*Gateway.*\): ignored$/,
      ),
      'm.yaml:8:1: document 3: apiVersion networking.k8s.io/v1 is unknown for Gateway, which Portico reads from gateway.networking.k8s.io/<version>: ignored',
      'm.yaml:12:1: document 4: apiVersion apps/v1 is unknown for Service, which Portico reads from v1: ignored',
      'm.yaml:16:1: document 5: it is a string, not an object: ignored',
    ]);
  });

  it('sees edits to objects that carry the uid and resourceVersion of `kubectl get -o yaml`', async () => {
    // The version key of a schema-check cache is uid + resourceVersion; in a folder, content is the version.
    const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
    const manifest = (port: number) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: demo, uid: 0f1e, resourceVersion: "42"}\nspec: {type: LoadBalancer, loadBalancerClass: portico.dev/haproxy, ports: [{port: ${port}, targetPort: 8080}]}\n`;
    const cache = new ReadCache();
    writeFileSync(join(dir, 's.yaml'), manifest(8001));
    const before = translate((await loadManifests(dir)).objects, {}, cache);
    writeFileSync(join(dir, 's.yaml'), manifest(8002));
    const after = translate((await loadManifests(dir)).objects, {}, cache);
    expect(before.loadBalancers.flatMap((lb) => lb.listeners.map((l) => l.port))).toEqual([8001]);
    expect(after.loadBalancers.flatMap((lb) => lb.listeners.map((l) => l.port))).toEqual([8002]);
  });
});
