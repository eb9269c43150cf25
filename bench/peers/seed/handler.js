// The seed's three Lambda handlers (Python, boto3) in Node with @aws-sdk v3, doing the same work
// per event: $connect PutItem, $disconnect DeleteItem, sendmessage Scan (all pages) then one
// postToConnection per connection, one after another, errors logged and skipped.
'use strict';
const { DynamoDBClient, PutItemCommand, DeleteItemCommand, paginateScan } =
  require('@aws-sdk/client-dynamodb');
const { ApiGatewayManagementApiClient, PostToConnectionCommand } =
  require('@aws-sdk/client-apigatewaymanagementapi');

const table = process.env.WEBSOCKET_TABLE;
// Local credentials and endpoints: dynalite and serverless-offline accept any key.
const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};
// Created once per Lambda environment, as the seed creates its boto3 client at module level.
const dynamodb = new DynamoDBClient({ ...local, endpoint: process.env.DYNAMODB_ENDPOINT });

function response(statusCode, body) {
  return { statusCode, body: JSON.stringify(body) };
}

exports.connect = async (event) => {
  try {
    await dynamodb.send(new PutItemCommand({
      TableName: table,
      Item: { connectionid: { S: event.requestContext.connectionId } },
    }));
    return response(200, { message: 'Connection ID saved successfully' });
  } catch (e) {
    console.log(`Error: ${e}`);
    return response(500, { error: String(e) });
  }
};

exports.disconnect = async (event) => {
  try {
    await dynamodb.send(new DeleteItemCommand({
      TableName: table,
      Key: { connectionid: { S: event.requestContext.connectionId } },
    }));
    return response(200, { message: 'Connection ID deleted successfully' });
  } catch (e) {
    console.log(`Error: ${e}`);
    return response(500, { error: String(e) });
  }
};

exports.sendmessage = async (event) => {
  try {
    if (!event.body) throw new Error("Missing 'body' in the event payload");
    const body = JSON.parse(event.body);
    if (!('message' in body)) throw new Error("Missing 'message' in the body");
    const message = body.message;
    // The seed builds the endpoint from the event (https://domain/stage); offline, the management
    // API is served by serverless-offline on its WebSocket port.
    const api = new ApiGatewayManagementApiClient({ ...local, endpoint: process.env.APIGW_ENDPOINT });
    const ids = [];
    for await (const page of paginateScan({ client: dynamodb }, { TableName: table }))
      ids.push(...page.Items);
    for (const item of ids) {
      try {
        await api.send(new PostToConnectionCommand({
          ConnectionId: item.connectionid.S,
          Data: message,
        }));
      } catch (e) {
        console.log(`Failed to post to connection ${item.connectionid.S}: ${e}`);
      }
    }
    return response(200, { message: 'Message sent to all connections successfully' });
  } catch (e) {
    console.log(`Error: ${e}`);
    return response(500, { error: String(e) });
  }
};
