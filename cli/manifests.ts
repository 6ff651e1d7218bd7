import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Larger files are refused: manifests folders hold configuration, not data. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface ManifestProblem {
  file: string;
  message: string;
}

export interface LoadedManifests {
  objects: unknown[];
  problems: ManifestProblem[];
  files: number;
}

/**
 * Every object in the `.yaml`, `.yml` and `.json` files below `dir` (multi-document YAML and `List`
 * objects included), in a stable order. A file that cannot be read or parsed is reported and left
 * out; the others still load.
 */
export async function loadManifests(dir: string): Promise<LoadedManifests> {
  const files = (await listFiles(dir)).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f))).sort();
  const objects: unknown[] = [];
  const problems: ManifestProblem[] = [];
  for (const file of files) {
    const name = relative(dir, file);
    try {
      const size = (await stat(file)).size;
      if (size > MAX_FILE_BYTES) {
        problems.push({
          file: name,
          message: `${size} bytes is more than the ${MAX_FILE_BYTES} a manifest may have`,
        });
        continue;
      }
      const docs = parseAllDocuments(await readFile(file, 'utf8'));
      for (const [i, doc] of docs.entries()) {
        if (doc.errors.length > 0) {
          problems.push({ file: name, message: `document ${i + 1}: ${doc.errors[0]!.message}` });
          continue;
        }
        // A bounded alias count refuses "billion laughs" documents.
        const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
        if (value === null || value === undefined) continue;
        objects.push(...unwrapList(value));
      }
    } catch (err) {
      problems.push({ file: name, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { objects, problems, files: files.length };
}

function unwrapList(value: unknown): unknown[] {
  const v = value as { kind?: unknown; items?: unknown };
  return v &&
    typeof v === 'object' &&
    typeof v.kind === 'string' &&
    v.kind.endsWith('List') &&
    Array.isArray(v.items)
    ? v.items
    : [value];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
