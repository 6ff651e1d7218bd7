// google-auth-library's external-account client, alone: imported dynamically by the GCP wiring only
// (see sqs-client.ts for why a static named import in its own file). Nothing on the AWS-only path
// imports this file.

import { AwsClient, ExternalAccountClient } from 'google-auth-library';
import type { GcpExternalAccountCredentials } from './gcp-config.js';

/**
 * Cloud Platform: the adapter calls Compute, Certificate Manager, Network Security and Network
 * Services, and only this scope covers the last three. What the token may do is the IAM role's
 * business (infra/gcp/portico-role.yaml), not the scope's.
 */
export const GCP_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The AuthClient for a validated configuration (gcp-config.ts): an AwsClient, which signs an STS
 * GetCallerIdentity request with the Lambda role's credentials (from the environment, as Lambda sets
 * them), exchanges it at Google's STS for a federated token, and, with a service account to
 * impersonate, for that account's token. Tokens are cached and refreshed by the client itself.
 */
export function gcpAuthClient(credentials: GcpExternalAccountCredentials): AwsClient {
  const client = ExternalAccountClient.fromJSON({ ...credentials, scopes: [GCP_SCOPE] });
  if (!(client instanceof AwsClient))
    throw new Error('the GCP credentials did not make an AWS external-account client');
  return client;
}
