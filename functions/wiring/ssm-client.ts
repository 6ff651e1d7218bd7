// The SSM client alone (see sqs-client.ts for why this file exists): SSM's full client is ~200 KB
// minified, its client class plus GetParameter a fraction of it.
export { SSMClient } from '@aws-sdk/client-ssm';
