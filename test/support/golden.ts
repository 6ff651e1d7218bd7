import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/** Regenerate outputs instead of comparing: `UPDATE_GOLDEN=1 npx vitest run test/golden` (or `npm run golden:update`). */
export const UPDATE = process.env.UPDATE_GOLDEN === '1';

export interface GoldenCase {
  name: string;
  inPath: string;
  outPath: string;
  /** The `options:` document, if the case has one. */
  options: Record<string, unknown>;
  /** Every other document. */
  documents: unknown[];
}

/**
 * Cases of one stage: `<dir>/<subject>-<scenario>.in.yaml`. The first document may be a mapping
 * with a single `options` key: per-case options live in the input file, not in test code.
 */
export function loadGoldenCases(dir: string): GoldenCase[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort();
  if (UPDATE) removeOrphans(dir, names);
  return names.map((file) => {
    const inPath = join(dir, file);
    const docs = parseAllDocuments(readFileSync(inPath, 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${inPath}: ${d.errors[0]?.message}`);
      return d.toJS() as unknown;
    });
    let options: Record<string, unknown> = {};
    const first = docs[0] as Record<string, unknown> | undefined;
    if (first && typeof first === 'object' && Object.keys(first).length === 1 && 'options' in first) {
      options = (first.options ?? {}) as Record<string, unknown>;
      docs.shift();
    }
    return {
      name: file.slice(0, -'.in.yaml'.length),
      inPath,
      outPath: join(dir, file.replace(/\.in\.yaml$/, '.out.yaml')),
      options,
      documents: docs.filter((d) => d !== null && d !== undefined),
    };
  });
}

/** Serialises to the golden YAML form; PEM blobs are replaced by a digest to keep files reviewable. */
export function toGoldenYaml(value: unknown): string {
  return stringify(redactPem(value), { lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: false });
}

/** Compares with, or (in update mode) writes, the expected output. Returns the expected text. */
export function checkGolden(outPath: string, actual: string): { expected: string; actual: string } {
  if (UPDATE) {
    writeFileSync(outPath, actual);
    return { expected: actual, actual };
  }
  if (!existsSync(outPath))
    throw new Error(`${outPath} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
  return { expected: readFileSync(outPath, 'utf8'), actual };
}

function redactPem(value: unknown): unknown {
  if (typeof value === 'string' && value.includes('-----BEGIN ')) {
    return `<pem sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}>`;
  }
  if (Array.isArray(value)) return value.map(redactPem);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactPem(v)]));
  }
  return value;
}

function removeOrphans(dir: string, inputs: string[]): void {
  const wanted = new Set(inputs.map((f) => f.replace(/\.in\.yaml$/, '')));
  for (const f of readdirSync(dir)) {
    // `<case>.out.yaml`, or one output per adapter: `<case>.<adapter>.out.yaml` (case names hold no dot).
    const m = /^([^.]*)\.(?:[^.]+\.)?(out\.yaml|plan\.txt|cfg)$/.exec(f);
    if (m && !wanted.has(m[1]!)) unlinkSync(join(dir, f));
  }
}

/** Another output of a case, next to its `.out.yaml` (e.g. `.plan.txt`); compare it with checkGolden. */
export function goldenOutputPath(c: GoldenCase, extension: string): string {
  return c.outPath.replace(/\.out\.yaml$/, extension);
}
