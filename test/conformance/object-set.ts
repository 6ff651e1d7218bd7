// The objects of one scenario as an API server would hold them: keyed by kind/namespace/name, with
// metadata.generation bumped when anything outside metadata/status changes, and the scenario's actions[]
// (mutations between phases) applied to it. Objects created by an action are part of the set until the
// test ends, when the whole set is replaced by the next test's.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getField, setField } from './field-path.js';
import {
  asArray,
  asRecord,
  isKubeObject,
  type KubeObject,
  objectKey,
  refKey,
  specOf,
} from './kube-object.js';
import { type Placeholders, parseManifest, readManifest, substitutePlaceholders } from './scenario.js';
import { actionVerb, type ScenarioAction } from './scenario-schema.js';

export class ObjectSet {
  readonly #objects = new Map<string, KubeObject>();
  /** metadata.generation of every object before the latest batch of actions (at load time before any). */
  #generationBeforeActions = new Map<string, number | undefined>();

  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) {
      const copy = structuredClone(o);
      this.#objects.set(objectKey(copy), copy);
    }
    this.markBeforeActions();
  }

  /** Remembers every object's generation: call it before the actions that precede a phase. */
  markBeforeActions(): void {
    this.#generationBeforeActions = new Map(
      [...this.#objects].map(([key, o]) => [key, o.metadata?.generation]),
    );
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

  /** metadata.generation when markBeforeActions last ran (GenerationChanged compares with it). */
  generationBeforeActions(kind: string, namespace: string, name: string): number | undefined {
    return this.#generationBeforeActions.get(refKey(kind, namespace, name));
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
   * Applies one actions[] entry (format: docs/conformance.md "Actions"): `patch` (a JSON merge `patch`,
   * `set` field paths, `setFrom` other objects' fields, `appendListener`), `create` (an inline object,
   * after `delayBeforeSeconds`), `delete`, `apply` (objects or a manifest file), and
   * `patchEndpointSlicesFromPods`. The object is named by `object` (or `target`) or by the action's own
   * kind / namespace / name. Returns a one-line description.
   */
  async applyAction(action: ScenarioAction, context: ActionContext): Promise<string> {
    const verb = actionVerb(action);
    switch (verb) {
      case 'apply': {
        const objects = actionObjects(action, context);
        if (objects.length === 0) throw new Error('action apply: no object, objects or manifest given');
        for (const o of objects) this.upsert(o);
        return `apply ${objects.map(objectKey).join(', ')}`;
      }
      case 'create': {
        const objects = actionObjects(action, context);
        if (objects.length === 0) throw new Error('action create: needs the object to create in "object"');
        const delay = Number(action.delayBeforeSeconds ?? 0);
        if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
        for (const o of objects) {
          this.#applySetFrom(o, action.setFrom, 'create');
          if (this.#objects.has(objectKey(o)))
            throw new Error(`action create: ${objectKey(o)} already exists`);
          this.upsert(o);
        }
        return `create ${objects.map(objectKey).join(', ')}`;
      }
      case 'delete': {
        const ref = actionTarget(action, 'delete');
        if (!this.delete(ref.kind, ref.namespace, ref.name))
          throw new Error(`action delete: ${refKey(ref.kind, ref.namespace, ref.name)} does not exist`);
        return `delete ${refKey(ref.kind, ref.namespace, ref.name)}`;
      }
      case 'patch': {
        const ref = actionTarget(action, 'patch');
        const key = refKey(ref.kind, ref.namespace, ref.name);
        const current = this.get(ref.kind, ref.namespace, ref.name);
        if (!current) throw new Error(`action patch: ${key} does not exist`);
        const modified = structuredClone(current) as Record<string, unknown>;
        const what: string[] = [];
        const patch = asRecord(action.patch);
        if (action.patch !== undefined && !patch)
          throw new Error('action patch: "patch" must be an object (JSON merge patch)');
        if (patch) {
          Object.assign(modified, mergePatch(modified, patch));
          what.push('merge patch');
        }
        for (const [path, value] of Object.entries(asRecord(action.set) ?? {})) {
          setField(modified, path, value);
          what.push(`set ${path}`);
        }
        what.push(...this.#applySetFrom(modified, action.setFrom, 'patch'));
        const listener = asRecord(action.appendListener);
        if (listener) {
          const spec = (asRecord(modified.spec) ?? {}) as Record<string, unknown>;
          spec.listeners = [...asArray(spec.listeners), structuredClone(listener)];
          modified.spec = spec;
          what.push(`append listener ${String(listener.name)}`);
        }
        if (what.length === 0)
          throw new Error(
            `action patch on ${key}: nothing to change (no patch, set, setFrom or appendListener)`,
          );
        // Sent as a JSON merge patch computed from the object as read: the result is the modified object.
        this.upsert(modified as KubeObject);
        return `patch ${key} (${what.join(', ')})`;
      }
      case 'patchEndpointSlicesFromPods':
        return this.#patchEndpointSlicesFromPods(action, context);
      default:
        throw new Error(`unsupported action ${JSON.stringify(action.action ?? action)}`);
    }
  }

  /** `setFrom {targetFieldPath: {apiVersion, kind, namespace, name, fieldPath}}`: copy fields of other objects. */
  #applySetFrom(target: Record<string, unknown>, setFrom: unknown, verb: string): string[] {
    const out: string[] = [];
    for (const [path, source] of Object.entries(asRecord(setFrom) ?? {})) {
      const s = asRecord(source);
      if (!s || typeof s.kind !== 'string' || typeof s.name !== 'string' || typeof s.fieldPath !== 'string')
        throw new Error(`action ${verb}: setFrom.${path} needs kind, name and fieldPath`);
      const from = this.get(s.kind, typeof s.namespace === 'string' ? s.namespace : undefined, s.name);
      if (!from)
        throw new Error(
          `action ${verb}: setFrom.${path}: ${s.kind} ${String(s.namespace ?? '')}/${s.name} does not exist`,
        );
      const value = getField(from, s.fieldPath);
      if (value === undefined)
        throw new Error(`action ${verb}: setFrom.${path}: ${s.kind} ${s.name} has no ${s.fieldPath}`);
      setField(target, path, value);
      out.push(`set ${path} from ${s.kind} ${s.name} ${s.fieldPath}`);
    }
    return out;
  }

  #patchEndpointSlicesFromPods(action: ScenarioAction, context: ActionContext): string {
    const podsOf = asRecord(action.podsOf);
    if (!podsOf || typeof podsOf.name !== 'string' || typeof podsOf.namespace !== 'string')
      throw new Error('action patchEndpointSlicesFromPods: needs podsOf {kind: Deployment, namespace, name}');
    const namespace = podsOf.namespace;
    const pods = context.pods(namespace, podsOf.name);
    const patched: string[] = [];
    for (const entry of asArray(action.endpointSlices)) {
      const e = asRecord(entry);
      const name = typeof entry === 'string' ? entry : typeof e?.name === 'string' ? e.name : undefined;
      const ns = typeof e?.namespace === 'string' ? e.namespace : namespace;
      if (!name)
        throw new Error(
          `action patchEndpointSlicesFromPods: bad endpointSlices entry ${JSON.stringify(entry)}`,
        );
      const slice = this.get('EndpointSlice', ns, name);
      if (!slice)
        throw new Error(`action patchEndpointSlicesFromPods: EndpointSlice ${ns}/${name} does not exist`);
      const family = name.endsWith('-ip6') ? 6 : 4;
      const ofFamily = pods.filter((p) => (p.ip.includes(':') ? 6 : 4) === family);
      if (ofFamily.length === 0) continue;
      this.upsert({
        ...slice,
        endpoints: ofFamily.map((p) => ({
          addresses: [p.ip],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: p.nodeName,
          targetRef: { kind: 'Pod', name: p.name, namespace: ns, uid: p.uid },
        })),
      });
      patched.push(`${ns}/${name}`);
    }
    return `patch EndpointSlices ${patched.join(', ') || '(none: no pod of their IP family)'} from the pods of ${namespace}/${podsOf.name}`;
  }
}

export interface ActionContext {
  dir: string;
  placeholders: Placeholders;
  /** The running pods of a Deployment. */
  pods(namespace: string, deployment: string): { name: string; ip: string; nodeName: string; uid: string }[];
}

/** The object an action names: `object` / `target` (apiVersion, kind, namespace, name) or its own fields. */
function actionTarget(
  action: ScenarioAction,
  verb: string,
): { kind: string; namespace: string | undefined; name: string } {
  const t = asRecord(action.object) ?? asRecord(action.target) ?? action;
  const meta = asRecord(t.metadata);
  const kind = typeof t.kind === 'string' ? t.kind : undefined;
  const name = typeof t.name === 'string' ? t.name : typeof meta?.name === 'string' ? meta.name : undefined;
  const namespace =
    typeof t.namespace === 'string'
      ? t.namespace
      : typeof meta?.namespace === 'string'
        ? meta.namespace
        : undefined;
  if (!kind || !name)
    throw new Error(`action ${verb}: names no object (needs object {kind, namespace, name})`);
  return { kind, namespace, name };
}

function actionObjects(action: ScenarioAction, context: ActionContext): KubeObject[] {
  const out: KubeObject[] = [];
  for (const o of [action.object, ...asArray(action.objects)]) {
    if (o === undefined) continue;
    if (!isKubeObject(o) || !asRecord(o.metadata))
      throw new Error(`action object is not a complete Kubernetes object: ${JSON.stringify(o)}`);
    out.push(JSON.parse(substitutePlaceholders(JSON.stringify(o), context.placeholders)) as KubeObject);
  }
  if (typeof action.manifest === 'string') {
    const file = join(context.dir, action.manifest);
    if (!action.manifest.includes('\n') && existsSync(file))
      out.push(...readManifest(file, context.placeholders));
    else out.push(...parseManifest(action.manifest, context.placeholders, 'action manifest'));
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
