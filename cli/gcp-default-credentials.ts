// Application Default Credentials for `portico plan --observe --provider gcp-compute`: what `gcloud
// auth application-default login`, GOOGLE_APPLICATION_CREDENTIALS or the metadata server provide.
// Imported only when GCP is read (google-auth-library is heavy).

import { type AuthClient, GoogleAuth } from 'google-auth-library';

/** The reader also reads trust configs and TLS and load-balancing policies, which only Cloud Platform covers. */
const GCP_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The ADC client; fails with google-auth-library's message when there are no credentials. */
export async function applicationDefaultCredentials(): Promise<AuthClient> {
  return new GoogleAuth({ scopes: [GCP_SCOPE] }).getClient();
}
