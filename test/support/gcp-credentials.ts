// A Workload Identity Federation credential configuration as `gcloud iam workload-identity-pools
// create-cred-config projects/123456789012/locations/global/workloadIdentityPools/portico/providers/aws-lambda
// --aws --enable-imdsv2 --service-account=portico-reconcile@shop-prod-123.iam.gserviceaccount.com`
// writes it (no secret in it: the AWS role's own credentials are what it signs with).

export const AUDIENCE =
  '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/portico/providers/aws-lambda';
export const SERVICE_ACCOUNT = 'portico-reconcile@shop-prod-123.iam.gserviceaccount.com';

export function awsCredentialConfig(): Record<string, unknown> {
  return {
    universe_domain: 'googleapis.com',
    type: 'external_account',
    audience: AUDIENCE,
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    token_url: 'https://sts.googleapis.com/v1/token',
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    credential_source: {
      environment_id: 'aws1',
      region_url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone',
      url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
      regional_cred_verification_url:
        'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      imdsv2_session_token_url: 'http://169.254.169.254/latest/api/token',
    },
  };
}

/** The SSM parameter's JSON: the project and the credential configuration. */
export function gcpConfigJson(project = 'shop-prod-123', credentials = awsCredentialConfig()): string {
  return JSON.stringify({ project, credentials });
}
