import { z } from 'zod';
import { objectMeta } from './meta.js';

export const namespace = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Namespace'),
  metadata: objectMeta,
});
export type Namespace = z.infer<typeof namespace>;
