// The GCP config of the deployed functions (an SSM SecureString, JSON): the project to program and a
// Workload Identity Federation credential configuration, as `gcloud iam workload-identity-pools
// create-cred-config ... --aws` writes it. Only that kind is accepted: an AWS workload exchanges its
// own role's credentials for a short-lived Google token, so no Google key is ever stored. The
// configuration's URLs decide where the signed AWS request and the tokens go, so each one is pinned
// to Google's, AWS's or the instance metadata service's (google-auth-library does not check them).

import { z } from 'zod';

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
/** `//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>` */
const WORKLOAD_PROVIDER_AUDIENCE =
  /^\/\/iam\.googleapis\.com\/projects\/\d{1,20}\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const IMPERSONATION_URL =
  /^https:\/\/iamcredentials\.googleapis\.com\/v1\/projects\/-\/serviceAccounts\/[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com:generateAccessToken$/;
/** EC2 instance metadata (IPv4 or IPv6). Lambda has none: the AWS credentials come from the environment. */
const METADATA_URL = /^http:\/\/(?:169\.254\.169\.254|\[fd00:ec2::254\])\/latest\/[-a-z0-9/]+$/;
export const AWS_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
export const GOOGLE_STS_TOKEN_URL = 'https://sts.googleapis.com/v1/token';
const AWS_VERIFICATION_URL = 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';

const awsCredentialSource = z.strictObject({
  environment_id: z.literal('aws1', 'must be aws1 (an AWS credential source)'),
  region_url: z.string().regex(METADATA_URL, 'not an EC2 metadata URL').optional(),
  url: z.string().regex(METADATA_URL, 'not an EC2 metadata URL').optional(),
  regional_cred_verification_url: z.literal(AWS_VERIFICATION_URL, `must be ${AWS_VERIFICATION_URL}`),
  imdsv2_session_token_url: z.string().regex(METADATA_URL, 'not an EC2 metadata URL').optional(),
});

const externalAccount = z.strictObject({
  type: z.literal('external_account'),
  audience: z
    .string()
    .regex(
      WORKLOAD_PROVIDER_AUDIENCE,
      'not a workload identity pool provider (//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)',
    ),
  subject_token_type: z.literal(
    AWS_SUBJECT_TOKEN_TYPE,
    `must be ${AWS_SUBJECT_TOKEN_TYPE} (an AWS provider)`,
  ),
  token_url: z.literal(GOOGLE_STS_TOKEN_URL, `must be ${GOOGLE_STS_TOKEN_URL}`).optional(),
  service_account_impersonation_url: z
    .string()
    .regex(IMPERSONATION_URL, 'not an iamcredentials generateAccessToken URL of a service account')
    .optional(),
  service_account_impersonation: z
    .strictObject({ token_lifetime_seconds: z.int().min(600).max(43_200) })
    .optional(),
  universe_domain: z.literal('googleapis.com').optional(),
  quota_project_id: z.string().regex(PROJECT_ID, 'not a GCP project id').optional(),
  credential_source: awsCredentialSource,
});

/** A validated external-account (AWS) credential configuration: what google-auth-library's fromJSON takes. */
export type GcpExternalAccountCredentials = z.infer<typeof externalAccount>;

const gcpConfig = z.strictObject({
  /** The project the adapter calls (LoadBalancerParameters name it too: they must agree). */
  project: z.string().regex(PROJECT_ID, 'not a GCP project id'),
  credentials: z.unknown(),
});

export interface GcpConfig {
  project: string;
  credentials: GcpExternalAccountCredentials;
}

/**
 * Parses the config JSON (`{ project, credentials }`). `source` names where it came from in errors;
 * errors name the field and the rule, never a value (a refused service-account key stays unechoed).
 */
export function parseGcpConfig(raw: string, source: string): GcpConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const top = gcpConfig.safeParse(json);
  if (!top.success) throw new Error(describe(source, top.error.issues[0]!));
  const credentials = parseCredentials(top.data.credentials, `${source}: credentials`);
  return { project: top.data.project, credentials };
}

function parseCredentials(value: unknown, at: string): GcpExternalAccountCredentials {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(
      `${at}: not an object (the JSON gcloud iam workload-identity-pools create-cred-config writes)`,
    );
  const type = (value as { type?: unknown }).type;
  if (type === 'service_account' || 'private_key' in value)
    throw new Error(
      `${at}: a service-account key is refused; Portico takes no long-lived Google keys. Store a Workload Identity Federation configuration instead (gcloud iam workload-identity-pools create-cred-config ... --aws, docs/gcp-compute.md)`,
    );
  if (type !== 'external_account')
    throw new Error(
      `${at}.type: must be external_account (a Workload Identity Federation configuration), not ${typeof type === 'string' && /^[a-z_]{1,40}$/.test(type) ? type : 'this'}`,
    );
  const source = (value as { credential_source?: unknown }).credential_source;
  if (typeof source === 'object' && source !== null && !('environment_id' in source))
    throw new Error(
      `${at}.credential_source: not an AWS credential source (file, URL, executable and certificate sources are refused: the functions run on AWS Lambda and sign with their own role)`,
    );
  const parsed = externalAccount.safeParse(value);
  if (!parsed.success) throw new Error(describe(at, parsed.error.issues[0]!));
  return parsed.data;
}

function describe(at: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  const where = path ? `${at}.${path}` : at;
  if (issue.code === 'unrecognized_keys')
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => k.slice(0, 60)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.expected === 'nonoptional') return `${where}: required`;
  return `${where}: ${issue.message}`;
}
