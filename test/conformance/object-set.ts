// The objects of one scenario as an API server would hold them: keyed by kind/namespace/name, with
// metadata.generation bumped when anything outside metadata/status changes, and the scenario's actions[]
// (mutations between phases) applied to it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  asArray,
  asRecord,
  isKubeObject,
  type KubeObject,
  objectKey,
  refKey,
  specOf,
} from './kube-object.js';
import { readManifest } from './scenario.js';
import type { ScenarioAction } from './scenario-schema.js';

export class ObjectSet {
  readonly #objects = new Map<string, KubeObject>();
  readonly #initialGeneration = new Map<string, number | undefined>();

  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) {
      const copy = structuredClone(o);
      this.#objects.set(objectKey(copy), copy);
      this.#initialGeneration.set(objectKey(copy), copy.metadata?.generation);
    }
  }

  list(): KubeObject[] {
    return [...this.#objects.values()];
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(refKey(kind, namespace, name));
  }

  generation(kind: string, namespace: string, name: string): number | undefined {
    return this.get(kind, namespace, name)?.metadata?.generation;
  }

  initialGeneration(kind: string, namespace: string, name: string): number | undefined {
    return this.#initialGeneration.get(refKey(kind, namespace, name));
  }

  /** Create or update (whole object): generation 1 on create, +1 when the spec changed. */
  upsert(o: KubeObject): void {
    const key = objectKey(o);
    const prev = this.#objects.get(key);
    const next = structuredClone(o);
    next.metadata = { ...(next.metadata ?? {}) };
    if (!prev) {
      next.metadata.generation = 1;
      next.metadata.creationTimestamp ??= new Date().toISOString();
    } else {
      const prevGen = prev.metadata?.generation ?? 1;
      next.metadata.generation = specOf(prev) === specOf(next) ? prevGen : prevGen + 1;
      next.metadata.creationTimestamp = prev.metadata?.creationTimestamp;
    }
    this.#objects.set(key, next);
  }

  delete(kind: string, namespace: string | undefined, name: string): boolean {
    return this.#objects.delete(refKey(kind, namespace, name));
  }

  /**
   * Applies one actions[] entry. The file format leaves the shape open; accepted:
   * `{action|op|type: "apply"|"create"|"update", object | objects | manifest}` (manifest: a file of the
   * scenario directory or inline YAML), `{action: "delete", kind, namespace, name}` (or under `target`),
   * `{action: "patch", kind, namespace, name, patch}` (JSON merge patch). Returns a one-line description.
   */
  applyAction(action: ScenarioAction, dir: string, gatewayClassName: string): string {
    const verb = String(action.action ?? action.op ?? action.type ?? action.verb ?? '').toLowerCase();
    const target = asRecord(action.target) ?? asRecord(action.ref) ?? action;
    const kind = typeof target.kind === 'string' ? target.kind : undefined;
    const namespace = typeof target.namespace === 'string' ? target.namespace : undefined;
    const name = typeof target.name === 'string' ? target.name : undefined;
    switch (verb) {
      case 'apply':
      case 'create':
      case 'update':
      case 'replace': {
        const objects = actionObjects(action, dir, gatewayClassName);
        if (objects.length === 0) throw new Error(`action ${verb}: no object, objects or manifest given`);
        for (const o of objects) this.upsert(o);
        return `${verb} ${objects.map(objectKey).join(', ')}`;
      }
      case 'delete': {
        if (!kind || !name) throw new Error('action delete: needs kind and name');
        if (!this.delete(kind, namespace, name))
          throw new Error(`action delete: ${refKey(kind, namespace, name)} does not exist`);
        return `delete ${refKey(kind, namespace, name)}`;
      }
      case 'patch':
      case 'mergepatch':
      case 'merge-patch': {
        if (!kind || !name) throw new Error('action patch: needs kind and name');
        const current = this.get(kind, namespace, name);
        if (!current) throw new Error(`action patch: ${refKey(kind, namespace, name)} does not exist`);
        const patch = asRecord(action.patch);
        if (!patch) throw new Error('action patch: needs a "patch" object (JSON merge patch)');
        this.upsert(mergePatch(current, patch) as KubeObject);
        return `patch ${refKey(kind, namespace, name)}`;
      }
      default:
        throw new Error(`unsupported action ${JSON.stringify(verb || action)}`);
    }
  }
}

function actionObjects(action: ScenarioAction, dir: string, gatewayClassName: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const o of [action.object, ...asArray(action.objects)]) {
    if (o === undefined) continue;
    if (!isKubeObject(o)) throw new Error(`action object is not a Kubernetes object: ${JSON.stringify(o)}`);
    out.push(
      JSON.parse(JSON.stringify(o).replaceAll('{GATEWAY_CLASS_NAME}', gatewayClassName)) as KubeObject,
    );
  }
  if (typeof action.manifest === 'string') {
    const file = join(dir, action.manifest);
    if (!action.manifest.includes('\n') && existsSync(file))
      out.push(...readManifest(file, gatewayClassName));
    else {
      for (const doc of parseAllDocuments(
        action.manifest.replaceAll('{GATEWAY_CLASS_NAME}', gatewayClassName),
      )) {
        const v: unknown = doc.toJS();
        if (isKubeObject(v)) out.push(v);
      }
    }
  }
  return out;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  const p = asRecord(patch);
  if (!p) return structuredClone(patch);
  const out: Record<string, unknown> = { ...(asRecord(target) ?? {}) };
  for (const [k, v] of Object.entries(p)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
