// The S3 client alone (see sqs-client.ts for why this file exists): only reconcile's ALB mutual TLS
// uses it, to upload trust stores' CA bundles, and loads it on first use.
export { S3Client } from '@aws-sdk/client-s3';
