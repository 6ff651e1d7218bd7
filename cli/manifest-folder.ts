import { identityOf, LastGoodObjects, objectName } from './last-good-objects.js';
import {
  listManifestFiles,
  type ManifestObject,
  type ManifestProblem,
  readManifestFile,
} from './manifests.js';

export interface FolderSnapshot {
  /** What to reconcile towards. */
  objects: unknown[];
  errors: ManifestProblem[];
  warnings: ManifestProblem[];
  /** `Kind namespace/name` of the invalid objects `errors` already reports (with their file and line). */
  invalid: Set<string>;
  /** Files that had errors at the last load and have none now. */
  fixed: string[];
  files: number;
}

/**
 * A manifests folder read again after each change, as `portico dev` does. A bad edit never takes
 * down what works: a file that does not parse keeps the objects of its last good version, and an
 * object that fails its schema keeps its last valid version, until fixed. Each problem names the
 * file, line and column (and the object and field for a schema error). When two files hold the
 * same object, the last in name order wins, as with `kubectl apply -f DIR`, and the other is
 * reported.
 */
export class ManifestFolder {
  readonly #dir: string;
  /** The objects of each file's last version that parsed. */
  readonly #lastGoodFiles = new Map<string, ManifestObject[]>();
  readonly #lastGoodObjects = new LastGoodObjects();
  #filesWithErrors = new Set<string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async load(): Promise<FolderSnapshot> {
    const files = await listManifestFiles(this.#dir);
    const errors: ManifestProblem[] = [];
    const warnings: ManifestProblem[] = [];
    const objects: ManifestObject[] = [];
    for (const file of files) {
      const read = await readManifestFile(this.#dir, file);
      warnings.push(...read.warnings);
      if (read.errors.length === 0) {
        this.#lastGoodFiles.set(file, read.objects);
        objects.push(...read.objects);
        continue;
      }
      const last = this.#lastGoodFiles.get(file);
      const keeping = last
        ? `; keeping the ${last.length} object${last.length === 1 ? '' : 's'} of its last good version until it is fixed`
        : '';
      for (const e of read.errors) errors.push({ ...e, message: `${e.message}${keeping}` });
      objects.push(...(last ?? read.objects));
    }
    for (const file of this.#lastGoodFiles.keys())
      if (!files.includes(file)) this.#lastGoodFiles.delete(file);

    const unique = this.#lastWins(objects, warnings);
    const { objects: selected, invalid } = this.#lastGoodObjects.select(unique, (o) => o.value);
    for (const i of invalid) {
      errors.push({
        file: i.entry.file,
        ...i.entry.locate(i.field),
        message: `${objectName(i)} ${i.field}: ${i.message}; ${
          i.kept ? 'keeping its last valid version until it is fixed' : 'the object is ignored'
        }`,
      });
    }
    const filesWithErrors = new Set(errors.map((e) => e.file));
    const fixed = [...this.#filesWithErrors].filter((f) => !filesWithErrors.has(f) && files.includes(f));
    this.#filesWithErrors = filesWithErrors;
    return {
      objects: selected,
      errors,
      warnings,
      invalid: new Set(invalid.map(objectName)),
      fixed,
      files: files.length,
    };
  }

  /** One object per identity: the last one, in file then document order. */
  #lastWins(objects: readonly ManifestObject[], warnings: ManifestProblem[]): ManifestObject[] {
    const last = new Map<string, ManifestObject>();
    for (const o of objects) {
      const id = identityOf(o.value);
      if (id) last.set(id.key, o);
    }
    return objects.filter((o) => {
      const id = identityOf(o.value);
      const winner = id && last.get(id.key);
      if (!winner || winner === o) return true;
      const at = winner.locate();
      warnings.push({
        file: o.file,
        ...o.locate(),
        message: `${objectName(id)} is defined again in ${winner.file}:${at.line}:${at.column}, which wins (the last one in file name order): this one is ignored`,
      });
      return false;
    });
  }
}
