// An ELBv2 SDK client pointed at the emulator: the real `@aws-sdk/client-elastic-load-balancing-v2` with
// dummy static credentials (the emulator accepts any SigV4 signature but requires one).

import {
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2Emulator } from './server.js';

export interface Elbv2ClientOptions {
  region?: string;
  /** SDK attempts per call, first one included (SDK default 3). */
  maxAttempts?: number;
  /** `standard` (default) or `adaptive`. */
  retryMode?: 'standard' | 'adaptive' | 'legacy';
  /** Anything else to pass to the client. */
  config?: ElasticLoadBalancingV2ClientConfig;
}

export function createElbv2Client(
  target: Elbv2Emulator | string,
  opts: Elbv2ClientOptions = {},
): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    endpoint: typeof target === 'string' ? target : target.endpoint,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' },
    maxAttempts: opts.maxAttempts ?? 3,
    retryMode: opts.retryMode ?? 'standard',
    ...opts.config,
  });
}
