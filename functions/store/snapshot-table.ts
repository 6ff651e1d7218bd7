import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The global secondary index listing one cluster's objects of one kind across namespaces. */
export const BY_KIND_INDEX = 'byKind';
/** The attribute DynamoDB TTL deletes expired tombstones and list records by (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The snapshot store's single DynamoDB table (see docs/store.md and dynamo-snapshot-store.ts for
 * the item layout), as CreateTable input without the name: serverless.yml / CloudFormation can
 * reuse it (`AWS::DynamoDB::Table` takes the same KeySchema, AttributeDefinitions,
 * GlobalSecondaryIndexes and BillingMode), with TimeToLiveSpecification `{ AttributeName: ttl }`.
 */
export const SNAPSHOT_TABLE = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gpk', AttributeType: 'S' },
    { AttributeName: 'gsk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: BY_KIND_INDEX,
      KeySchema: [
        { AttributeName: 'gpk', KeyType: 'HASH' },
        { AttributeName: 'gsk', KeyType: 'RANGE' },
      ],
      // Enough to decide a re-list's sweep without reading the objects themselves.
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['rv', 'del', 'lid', 'tch'] },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
} as const;

/** CreateTable input for the snapshot table (TTL is enabled separately, with UpdateTimeToLive). */
export function snapshotTableInput(tableName: string): CreateTableCommandInput {
  const { TimeToLiveSpecification: _ttl, ...table } = SNAPSHOT_TABLE;
  return structuredClone({ TableName: tableName, ...table }) as unknown as CreateTableCommandInput;
}
