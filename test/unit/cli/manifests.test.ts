import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '#cli/manifests.js';

describe('cli: loadManifests', () => {
  it('reads multi-document YAML, JSON and Lists below a folder, and reports bad files without losing the rest', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.yaml'), 'kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n');
    writeFileSync(
      join(dir, 'sub', 'c.json'),
      JSON.stringify({ kind: 'List', items: [{ kind: 'C' }, { kind: 'D' }] }),
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
    expect(objects.map((o) => (o as { kind: string }).kind)).toEqual(['A', 'B', 'C', 'D']);
    expect(files).toBe(4);
    expect(problems.map((p) => p.file).sort()).toEqual(['bomb.yaml', 'broken.yaml']);
  });
});
