// Creates the seed's connections table (hash key `connectionid`) in the local DynamoDB.
// Usage: DYNAMODB_ENDPOINT=http://127.0.0.1:P WEBSOCKET_TABLE=T node create_table.js
'use strict';
const { DynamoDBClient, CreateTableCommand, waitUntilTableExists } =
  require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: process.env.DYNAMODB_ENDPOINT,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const TableName = process.env.WEBSOCKET_TABLE;

(async () => {
  await client.send(new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'connectionid', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'connectionid', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName });
  console.log(`table ${TableName} ready`);
})().catch((e) => {
  console.error(`create_table: ${e}`);
  process.exit(1);
});
