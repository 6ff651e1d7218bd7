// Application Default Credentials for `portico plan --observe --provider gcp-compute`: what `gcloud
// auth application-default login`, GOOGLE_APPLICATION_CREDENTIALS or the metadata server provide.
// Imported only when GCP is read (google-auth-library is heavy).

import { type AuthClient, GoogleAuth } from 'google-auth-library';

/** Reading needs the Compute scope only (the reader sends get and list calls). */
const COMPUTE_SCOPE = 'https://www.googleapis.com/auth/compute';

/** The ADC client; fails with google-auth-library's message when there are no credentials. */
export async function applicationDefaultCredentials(): Promise<AuthClient> {
  return new GoogleAuth({ scopes: [COMPUTE_SCOPE] }).getClient();
}
