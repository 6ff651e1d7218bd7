// What the conformance runner drives: anything that takes the whole set of cluster objects, programs a
// data plane, and reports the status it would write back. The HAProxy pipeline is one such target
// (`#test/conformance/haproxy-target.js`); tests use small in-process ones.

export interface ConformanceTarget {
  /** Replace the whole set of objects (level-triggered) and wait until the pipeline has reconciled them. */
  apply(objects: unknown[]): Promise<void>;
  /** Current status of an object as the pipeline would write it (Gateway API status shape: conditions, listeners, parents, addresses). */
  status(kind: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export interface ConformanceTargetOptions {
  /** The GatewayClass the scenarios' Gateways use. */
  gatewayClassName: string;
  /** Its `spec.controllerName`: route parent statuses must carry it. */
  controllerName: string;
  /** The IngressClass `spec.controller` Ingress scenarios use (default portico.dev/ingress-controller). */
  ingressController?: string;
}

export type ConformanceTargetFactory = (options: ConformanceTargetOptions) => Promise<ConformanceTarget>;

/**
 * Loads a target factory from a module: its `createConformanceTarget` export, else `createTarget`, else the
 * default export (a factory function).
 */
export async function loadTargetFactory(specifier: string): Promise<ConformanceTargetFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_IMPORT_NOT_DEFINED') {
      throw new Error(
        `target module ${specifier} not found (${(err as Error).message}); pass --target <module>`,
      );
    }
    throw err;
  }
  const factory = mod.createConformanceTarget ?? mod.createTarget ?? mod.default;
  if (typeof factory !== 'function') {
    throw new Error(
      `${specifier}: exports no target factory (expected createConformanceTarget, createTarget or a default function)`,
    );
  }
  return factory as ConformanceTargetFactory;
}
