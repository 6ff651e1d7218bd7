import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import type { ConformanceTarget, ConformanceTargetOptions } from './target.js';

/**
 * The conformance target: the same pipeline as `portico dev` (translate → HAProxy adapter → a real
 * HAProxy), each Gateway and Ingress on its own loopback address. Status is what the pipeline would write;
 * the GatewayClass's supportedFeatures come from the HAProxy adapter's capabilities.
 */
export async function createConformanceTarget(options: ConformanceTargetOptions): Promise<ConformanceTarget> {
  const stateDir = mkdtempSync(join(tmpdir(), 'portico-conformance-'));
  const adapter = createHaproxyAdapter({
    stateDir,
    addressPool: process.env.PORTICO_CONFORMANCE_POOL ?? '127.0.2.1-127.0.2.250',
  });
  const pipeline = new LocalPipeline({
    adapters: { haproxy: adapter },
    translateOptions: {
      controllerName: options.controllerName,
      ...(options.ingressController ? { ingressController: options.ingressController } : {}),
    },
  });
  await adapter.start();
  return {
    async apply(objects) {
      await pipeline.sync(objects);
    },
    async status(kind, namespace, name) {
      const s = pipeline.last.statuses.find(
        (x) =>
          x.kind === kind &&
          x.name === name &&
          (x.namespace ?? '') === (kind === 'GatewayClass' ? '' : namespace),
      );
      return s ? (structuredClone(s.status) as unknown as Record<string, unknown>) : undefined;
    },
    async close() {
      await adapter.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
