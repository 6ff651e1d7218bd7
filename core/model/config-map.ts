import { z } from 'zod';
import { objectMeta } from './meta.js';

// core/v1 ConfigMap: Portico reads only CA bundles from it (key `ca.crt`), for client-certificate
// validation and BackendTLSPolicy.

export const configMap = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ConfigMap'),
  metadata: objectMeta,
  data: z.record(z.string().max(253), z.string().max(1_048_576)).optional(),
});
export type ConfigMap = z.infer<typeof configMap>;
