// The DynamoDB client alone (see sqs-client.ts for why this file exists).
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
