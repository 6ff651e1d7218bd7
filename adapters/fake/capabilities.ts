// What the fake (in-memory) provider declares: everything the IR can say, except Cloud Storage
// buckets, which only GCP serves; so tests see the route refused as on HAProxy and ELBv2.

import { EVERY_CAPABILITY } from '../capabilities.js';
import type { Capabilities } from '../types.js';

export const FAKE_CAPABILITIES: Capabilities = { ...EVERY_CAPABILITY, backendBuckets: false };
