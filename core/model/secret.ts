import { z } from 'zod';
import { objectMeta } from './meta.js';

// core/v1 Secret of type kubernetes.io/tls. `data` is base64 as the API serves it; the forwarder
// may drop `tls.key` (only some providers need it), so the key is optional here.

export const secret = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Secret'),
  metadata: objectMeta,
  type: z.string().max(253).optional(),
  data: z.record(z.string().max(253), z.string().max(1_048_576)).optional(),
});
export type Secret = z.infer<typeof secret>;
