import type { SanitizeOptions } from '#events/sanitize-object.js';

/**
 * What of a Secret the deployed functions keep (ingest before enqueueing, record before storing).
 * The providers they program (functions/wiring/cloud-adapters.ts: aws-elbv2) reference certificates
 * by ARN (`certificateSource: 'reference'`) and read no Secret data, so no private key is kept:
 * TLS Secrets keep `tls.crt` and `ca.crt`, other Secrets their metadata only. A unit test checks
 * this against the providers' capabilities (needsPrivateKeys), so adding a provider that terminates
 * TLS from Secrets fails until this rule (and an env switch for it) is revisited.
 */
export const FUNCTIONS_SECRET_RULE: Readonly<SanitizeOptions> = Object.freeze({ keepPrivateKeys: false });
