import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { type Document, isMap, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { isKnownKind, KINDS } from '#core/model/bundle.js';
import { terminalSafe as safe } from './terminal-text.js';

/** Larger files are refused: manifests folders hold configuration, not data. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface ManifestProblem {
  file: string;
  /** 1-based, when the problem is at a place in the file. */
  line?: number;
  column?: number;
  message: string;
}

export interface SourcePosition {
  line: number;
  column: number;
}

/** One object of a manifests file, and where it is. */
export interface ManifestObject {
  value: unknown;
  file: string;
  /** Where `field` (a dotted path such as `spec.rules[0].matches`) is, or its nearest parent that is. */
  locate(field?: string): SourcePosition;
}

export interface ManifestFile {
  file: string;
  objects: ManifestObject[];
  /** Why the file, or a document of it, could not be read: its objects are not all there. */
  errors: ManifestProblem[];
  /** Documents left out on purpose: not an object, a kind or apiVersion Portico does not read. */
  warnings: ManifestProblem[];
}

export interface LoadedManifests {
  objects: unknown[];
  problems: ManifestProblem[];
  warnings: ManifestProblem[];
  files: number;
}

/**
 * Every object in the `.yaml`, `.yml` and `.json` files below `dir` (multi-document YAML and `List`
 * objects included), in a stable order. A file that cannot be read or parsed is reported and left
 * out; the others still load.
 */
export async function loadManifests(dir: string): Promise<LoadedManifests> {
  const files = await listManifestFiles(dir);
  const loaded: LoadedManifests = { objects: [], problems: [], warnings: [], files: files.length };
  for (const file of files) {
    const read = await readManifestFile(dir, file);
    loaded.objects.push(...read.objects.map((o) => o.value));
    loaded.problems.push(...read.errors);
    loaded.warnings.push(...read.warnings);
  }
  return loaded;
}

/** The manifests files below `dir`, relative to it, sorted. Hidden files and folders are skipped. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir))
    .filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))
    .map((f) => relative(dir, f))
    .sort();
}

/** One file's objects, with what was wrong with it. Never throws. */
export async function readManifestFile(dir: string, file: string): Promise<ManifestFile> {
  const out: ManifestFile = { file, objects: [], errors: [], warnings: [] };
  let text: string;
  try {
    const size = (await stat(join(dir, file))).size;
    if (size > MAX_FILE_BYTES) {
      out.errors.push({
        file,
        message: `${size} bytes is more than the ${MAX_FILE_BYTES} a manifest may have`,
      });
      return out;
    }
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    out.errors.push({ file, message: err instanceof Error ? err.message : String(err) });
    return out;
  }
  const lines = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  for (const [i, doc] of parseAllDocuments(text, { lineCounter: lines }).entries()) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      out.errors.push({
        file,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
        // The library's message ends with the position and a snippet: the position is given apart.
        message: `document ${i + 1}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      });
      continue;
    }
    let value: unknown;
    try {
      // A bounded alias count refuses "billion laughs" documents.
      value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (err) {
      out.errors.push({
        file,
        ...at(doc.range[0]),
        message: `document ${i + 1}: ${err instanceof Error ? err.message : String(err)}`,
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    const items = isList(value)
      ? value.items.map((item, n) => ({ item, base: ['items', n] }))
      : [{ item: value, base: [] }];
    for (const { item, base } of items) {
      const locate = (field?: string) => at(nodeAt(doc, [...base, ...fieldPath(field)]));
      const where = `document ${i + 1}${base.length ? ` ${base[0]}[${base[1]}]` : ''}`;
      const ignored = whyIgnored(item);
      if (ignored) {
        out.warnings.push({ file, ...locate(), message: `${where}: ${ignored}: ignored` });
        continue;
      }
      out.objects.push({ value: contentVersioned(item as Record<string, unknown>), file, locate });
    }
  }
  return out;
}

/** `file:line:column: message`, escaped for the terminal. */
export function problemText(p: ManifestProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${safe(where)}: ${safe(p.message)}`;
}

/** Why a document is not read as an object of the core, if it is not. */
function whyIgnored(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `it is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not an object`;
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  if (typeof kind !== 'string') return 'it has no kind';
  if (!isKnownKind(kind))
    return `kind ${kind} is not one Portico reads (${Object.keys(KINDS).sort().join(', ')})`;
  if (typeof apiVersion !== 'string') return undefined; // The schema check reports it, with the object.
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const expected = KINDS[kind].group;
  if (group !== expected)
    return `apiVersion ${apiVersion} is unknown for ${kind}, which Portico reads from ${expected ? `${expected}/<version>` : 'v1'}`;
  return undefined;
}

/**
 * In a folder, the file's content is the version. Objects copied from `kubectl get -o yaml` keep the
 * `uid` and `resourceVersion` they had, which schema-check caches take as naming one content: the
 * resourceVersion becomes a digest of the object, so that an edit is a new version.
 */
function contentVersioned(value: Record<string, unknown>): unknown {
  const metadata = value.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || metadata.uid === undefined) return value;
  const digest = createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 20);
  return { ...value, metadata: { ...metadata, resourceVersion: `content-${digest}` } };
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.kind === 'string' &&
    v.kind.endsWith('List') &&
    Array.isArray(v.items)
  );
}

/** `spec.rules[0].matches` → `['spec', 'rules', 0, 'matches']`. */
function fieldPath(field: string | undefined): (string | number)[] {
  if (!field || field === '(object)') return [];
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** The source offset of the node at `path`, or of its deepest ancestor that exists (a missing field). */
function nodeAt(doc: Document, path: readonly (string | number)[]): number {
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? doc.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
      node = node.items[key] as Node;
      offset = node.range?.[0] ?? offset;
    } else break;
  }
  return offset;
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
