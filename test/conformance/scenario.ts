// Loading one conformance scenario (NAME.expect.json + its manifests) into the set of objects the pipeline
// is given. Gateway scenarios: the manifests in apply order with the class and controller placeholders
// substituted, the suite GatewayClass, the Secrets/ConfigMaps the suite creates in Go. Ingress scenarios:
// their one self-contained manifest, the IngressClass the suite expects, their own Secrets - nothing else.
// The runner adds the EndpointSlices pointing at local echo pods (scenarioObjects).

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EchoBackends } from './echo-backends.js';
import { findDeployments, synthesizeEndpointSlices } from './endpoint-slices.js';
import { asRecord, isKubeObject, type KubeObject, objectKey } from './kube-object.js';
import { programmaticResources } from './programmatic-resources.js';
import { type ScenarioExpect, validateScenarioExpect } from './scenario-schema.js';

export const PORTICO_CONTROLLER_NAME = 'portico.dev/gateway-controller';
export const PORTICO_INGRESS_CONTROLLER = 'portico.dev/ingress-controller';
export const DEFAULT_GATEWAY_CLASS_NAME = 'portico';
const CLASS_PLACEHOLDER = '{GATEWAY_CLASS_NAME}';
const CONTROLLER_PLACEHOLDER = '{GATEWAY_CONTROLLER_NAME}';

export interface ScenarioOptions {
  /** Substituted for `{GATEWAY_CLASS_NAME}`; default `portico`. */
  gatewayClassName?: string;
  /** The GatewayClass's controllerName, i.e. what route parent statuses must carry. */
  controllerName?: string;
  /** The IngressClass `spec.controller` Ingress scenarios use; default `portico.dev/ingress-controller`. */
  ingressController?: string;
}

export interface Placeholders {
  gatewayClassName: string;
  controllerName: string;
}

export interface LoadedScenario {
  /** Path of the expect.json. */
  file: string;
  dir: string;
  expect: ScenarioExpect;
  /** An Ingress scenario: self-contained, no Gateway suite setup. */
  ingress: boolean;
  gatewayClassName: string;
  controllerName: string;
  /** Manifests in apply order (later objects replace earlier ones with the same key). */
  manifestObjects: KubeObject[];
  /** Keys of the objects that came from the base manifests (upstream's suite-wide setup). */
  baseKeys: Set<string>;
  /** The suite GatewayClass (Gateway scenarios) or IngressClass (Ingress scenarios). */
  classObject: KubeObject;
  programmatic: KubeObject[];
}

/** Every `*.expect.json` of a directory, sorted. */
export function listScenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.expect.json'))
    .sort()
    .map((f) => resolve(dir, f));
}

/** Ingress scenarios name an IngressClass, or address Ingresses. */
export function isIngressScenario(expect: ScenarioExpect): boolean {
  return (
    !!expect.ingressClass ||
    (expect.cases ?? []).some((c) => !!c.ingress) ||
    (expect.statusChecks ?? []).some((s) => s.check.startsWith('Ingress'))
  );
}

export function loadScenario(file: string, options: ScenarioOptions = {}): LoadedScenario {
  const placeholders: Placeholders = {
    gatewayClassName: options.gatewayClassName ?? DEFAULT_GATEWAY_CLASS_NAME,
    controllerName: options.controllerName ?? PORTICO_CONTROLLER_NAME,
  };
  const dir = dirname(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const expect = validateScenarioExpect(raw, basename(file));
  const ingress = isIngressScenario(expect);

  // Creation times as the API server would stamp them: setup (base) first, then the test's manifests.
  const start = Math.floor(Date.now() / 1000) * 1000;
  const byKey = new Map<string, KubeObject>();
  const baseKeys = new Set<string>();
  expect.manifests.forEach((manifest, i) => {
    const isBase = !ingress && i === 0 && expect.manifests.length > 1 && manifest !== `${expect.test}.yaml`;
    for (const o of readManifest(join(dir, manifest), placeholders)) {
      stampCreation(o, new Date(start + i * 1000));
      byKey.delete(objectKey(o));
      byKey.set(objectKey(o), o);
      if (isBase) baseKeys.add(objectKey(o));
    }
  });
  const manifestObjects = [...byKey.values()];
  const programmatic = programmaticResources(expect.requiresProgrammaticResources, basename(file), {
    suite: !ingress,
  });
  for (const o of programmatic) stampCreation(o, new Date(start));

  let classObject: KubeObject;
  if (ingress) {
    const className = expect.ingressClass?.name ?? 'conformance';
    // The suite sets its class on every Ingress that names none.
    for (const o of manifestObjects) {
      if (o.kind !== 'Ingress') continue;
      const spec = (asRecord(o.spec) ?? {}) as Record<string, unknown>;
      const annotated = asRecord(o.metadata?.annotations)?.['kubernetes.io/ingress.class'] !== undefined;
      if (spec.ingressClassName === undefined && !annotated)
        o.spec = { ...spec, ingressClassName: className };
    }
    classObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: className, generation: 1, creationTimestamp: new Date(start - 1000).toISOString() },
      spec: { controller: options.ingressController ?? PORTICO_INGRESS_CONTROLLER },
    };
  } else {
    classObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: {
        name: placeholders.gatewayClassName,
        generation: 1,
        creationTimestamp: new Date(start - 1000).toISOString(),
      },
      spec: { controllerName: placeholders.controllerName },
    };
  }

  return {
    file,
    dir,
    expect,
    ingress,
    ...placeholders,
    manifestObjects,
    baseKeys,
    classObject,
    programmatic,
  };
}

/** The declared objects of a scenario: class, manifests, programmatic objects (these win over manifests). */
export function declaredObjects(loaded: LoadedScenario): KubeObject[] {
  const programmaticKeys = new Set(loaded.programmatic.map(objectKey));
  return [
    loaded.classObject,
    ...loaded.manifestObjects.filter((o) => !programmaticKeys.has(objectKey(o))),
    ...loaded.programmatic,
  ];
}

/**
 * Everything the pipeline is given for these declared objects, after running the echo pods of their
 * Deployments: the objects plus the synthesized EndpointSlices.
 */
export async function withEndpoints(
  objects: readonly KubeObject[],
  backends: EchoBackends,
  flavor: 'gateway' | 'ingress',
): Promise<KubeObject[]> {
  const deployments = findDeployments(objects);
  const pods = await backends.ensure(deployments, flavor);
  return [...objects, ...synthesizeEndpointSlices(objects, pods, deployments)];
}

/** The whole object set of a freshly loaded scenario (declared objects plus EndpointSlices). */
export function scenarioObjects(loaded: LoadedScenario, backends: EchoBackends): Promise<KubeObject[]> {
  return withEndpoints(declaredObjects(loaded), backends, loaded.ingress ? 'ingress' : 'gateway');
}

/** Replaces `{GATEWAY_CLASS_NAME}` and `{GATEWAY_CONTROLLER_NAME}` in manifest text. */
export function substitutePlaceholders(text: string, p: Placeholders): string {
  return text
    .replaceAll(CLASS_PLACEHOLDER, p.gatewayClassName)
    .replaceAll(CONTROLLER_PLACEHOLDER, p.controllerName);
}

/** Multi-document YAML → objects, placeholders replaced; empty documents skipped. */
export function readManifest(path: string, placeholders: Placeholders): KubeObject[] {
  return parseManifest(readFileSync(path, 'utf8'), placeholders, path);
}

export function parseManifest(yamlText: string, placeholders: Placeholders, where: string): KubeObject[] {
  const text = substitutePlaceholders(yamlText, placeholders);
  const out: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${where}: document ${i + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value))
      throw new Error(`${where}: document ${i + 1} is not a Kubernetes object (no kind)`);
    out.push(value);
  }
  return out;
}

function stampCreation(o: KubeObject, at: Date): void {
  o.metadata = o.metadata ?? {};
  o.metadata.generation ??= 1;
  o.metadata.creationTimestamp ??= at.toISOString();
}
