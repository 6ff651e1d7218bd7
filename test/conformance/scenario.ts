// Loading one upstream conformance scenario (NAME.expect.json + its manifests) into the set of objects the
// pipeline is given: the manifests in apply order with the GatewayClass name substituted, the GatewayClass
// itself, the Secrets the suite creates in Go, and the EndpointSlices pointing at local echo servers.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EchoBackends } from './echo-backends.js';
import { type DeploymentInfo, findDeployments, synthesizeEndpointSlices } from './endpoint-slices.js';
import { isKubeObject, type KubeObject, objectKey } from './kube-object.js';
import { programmaticResources } from './programmatic-resources.js';
import { type ScenarioExpect, validateScenarioExpect } from './scenario-schema.js';

export const PORTICO_CONTROLLER_NAME = 'portico.dev/gateway-controller';
export const DEFAULT_GATEWAY_CLASS_NAME = 'portico';
const CLASS_PLACEHOLDER = '{GATEWAY_CLASS_NAME}';

export interface ScenarioOptions {
  /** Substituted for `{GATEWAY_CLASS_NAME}`; default `portico`. */
  gatewayClassName?: string;
  /** The GatewayClass's controllerName, i.e. what route parent statuses must carry. */
  controllerName?: string;
}

export interface LoadedScenario {
  /** Path of the expect.json. */
  file: string;
  dir: string;
  expect: ScenarioExpect;
  gatewayClassName: string;
  controllerName: string;
  /** base-manifests.yaml then NAME.yaml (later objects replace earlier ones with the same key). */
  manifestObjects: KubeObject[];
  /** Keys of the objects that came from the base manifests (upstream's suite-wide setup). */
  baseKeys: Set<string>;
  gatewayClass: KubeObject;
  programmatic: KubeObject[];
  deployments: DeploymentInfo[];
}

/** Every `*.expect.json` of a directory, sorted. */
export function listScenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.expect.json'))
    .sort()
    .map((f) => resolve(dir, f));
}

export function loadScenario(file: string, options: ScenarioOptions = {}): LoadedScenario {
  const gatewayClassName = options.gatewayClassName ?? DEFAULT_GATEWAY_CLASS_NAME;
  const controllerName = options.controllerName ?? PORTICO_CONTROLLER_NAME;
  const dir = dirname(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const expect = validateScenarioExpect(raw, basename(file));

  // Creation times as the API server would stamp them: setup (base) first, then the test's manifest.
  const start = Math.floor(Date.now() / 1000) * 1000;
  const byKey = new Map<string, KubeObject>();
  const baseKeys = new Set<string>();
  expect.manifests.forEach((manifest, i) => {
    const isBase = i === 0 && expect.manifests.length > 1;
    for (const o of readManifest(join(dir, manifest), gatewayClassName)) {
      stampCreation(o, new Date(start + i * 1000));
      byKey.delete(objectKey(o));
      byKey.set(objectKey(o), o);
      if (isBase) baseKeys.add(objectKey(o));
    }
  });
  const manifestObjects = [...byKey.values()];

  const gatewayClass: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: {
      name: gatewayClassName,
      generation: 1,
      creationTimestamp: new Date(start - 1000).toISOString(),
    },
    spec: { controllerName },
  };
  const programmatic = programmaticResources(expect.requiresProgrammaticResources, basename(file));
  for (const o of programmatic) stampCreation(o, new Date(start));

  return {
    file,
    dir,
    expect,
    gatewayClassName,
    controllerName,
    manifestObjects,
    baseKeys,
    gatewayClass,
    programmatic,
    deployments: findDeployments(manifestObjects),
  };
}

/**
 * Everything the pipeline is given for this scenario, after starting (or reusing) one echo server per
 * backend Deployment: GatewayClass, manifests, programmatic Secrets, synthesized EndpointSlices.
 */
export async function scenarioObjects(loaded: LoadedScenario, backends: EchoBackends): Promise<KubeObject[]> {
  const servers = await backends.ensure(loaded.deployments);
  const programmaticKeys = new Set(loaded.programmatic.map(objectKey));
  return [
    loaded.gatewayClass,
    ...loaded.manifestObjects.filter((o) => !programmaticKeys.has(objectKey(o))),
    ...loaded.programmatic,
    ...synthesizeEndpointSlices(loaded.manifestObjects, servers),
  ];
}

/** Multi-document YAML → objects, `{GATEWAY_CLASS_NAME}` replaced; empty documents skipped. */
export function readManifest(path: string, gatewayClassName: string): KubeObject[] {
  const text = readFileSync(path, 'utf8').replaceAll(CLASS_PLACEHOLDER, gatewayClassName);
  const out: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${path}: document ${i + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value))
      throw new Error(`${path}: document ${i + 1} is not a Kubernetes object (no kind)`);
    out.push(value);
  }
  return out;
}

function stampCreation(o: KubeObject, at: Date): void {
  o.metadata = o.metadata ?? {};
  o.metadata.generation ??= 1;
  o.metadata.creationTimestamp ??= at.toISOString();
}
