// The ELBv2 client alone (see sqs-client.ts for why this file exists).
export { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
