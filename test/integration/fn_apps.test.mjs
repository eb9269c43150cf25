// Two WebSocket apps as their authors wrote them, run unchanged by `parley serve --lambda
// process` against dynalite:
//   * the seed tutorial's three Python functions (fixtures/seed-python: boto3 from Debian's
//     python3-boto3, the management client built from https://{domainName}/{stage});
//   * a Node.js 20 chat app in the shape of AWS's simple-websockets-chat-app
//     (fixtures/node-chat: SDK v3 from test/integration/node_modules, ES modules).
// Each: $connect writes the connection's row, sendmessage broadcasts through a Scan and
// post_to_connection / PostToConnection, a stale row's 410 is survived (and, in the Node app,
// the row deleted), $disconnect deletes the row. The seed paginates its Scan, so its table holds
// more than one 1 MB page; the Node app reads one page, as AWS's sample does, so its table fits
// in one (over two pages, a live row hashed past the first page would never get the message: a
// single page missed one in 8 of 60 tries on dynalite).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, DescribeTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startServer, poll, fetchT } from './server.mjs';

// poll() returns the last value when time runs out: this fails the test instead.
const until = async (fn, opts, what = String(fn)) => assert.ok(await poll(fn, opts), `timed out waiting for ${what}`);
import { startDynalite } from './dynalite.mjs';
import { connect, closeAll } from './client.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const STALE = ['AAAAAAAAAAAAAAA=', 'BBBBBBBBBBBBBBB=', 'CCCCCCCCCCCCCCC='];
// 3 stale rows of ~400 KB: the Scan needs two 1 MB pages.
const PADDING = 'x'.repeat(390 * 1024);

function suite(name, { template, table, key, message, payload, staleDeleted, paginates }) {
  describe(name, () => {
    let dataDir;
    let dynalite;
    let ddb;
    let srv;
    const ids = async () => {
      const items = [];
      let start;
      do {
        const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ProjectionExpression: key }));
        items.push(...page.Items.map((i) => i[key].S));
        start = page.LastEvaluatedKey;
      } while (start);
      return items.sort();
    };

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'parley-apps-'));
      dynalite = await startDynalite({ path: join(dataDir, 'dynalite') });
      ddb = new DynamoDBClient({ endpoint: dynalite.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      srv = await startServer({
        integration: 'in-process', store: 'dynamodb', dynamodbEndpoint: dynalite.url,
        // The template's own table, made by --create-tables as `parley local` users make it.
        args: ['--lambda', 'process', '--template', join(here, 'fixtures', template), '--create-tables'],
      });
      const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
      assert.equal(described.Table.KeySchema[0].AttributeName, key, 'the table as the template declares it');
    });
    after(async () => {
      await closeAll();
      await srv?.stop();
      await dynalite?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('$connect writes the rows, sendmessage reaches everyone past stale rows, $disconnect deletes', async () => {
      const clients = [];
      for (let i = 0; i < 3; i++) clients.push(await connect(srv.wsUrl, { timeoutMs: 20000 }));
      const live = await ids();
      assert.equal(live.length, 3, `three rows: ${live}`);
      for (const id of STALE)
        await ddb.send(new PutItemCommand({ TableName: table, Item: { [key]: { S: id }, padding: { S: paginates ? PADDING : 'x' } } }));
      const first = await ddb.send(new ScanCommand({ TableName: table }));
      if (paginates) assert.ok(first.LastEvaluatedKey, 'the Scan is paginated');
      else assert.equal(first.LastEvaluatedKey, undefined, 'one page: the app reads only the first');

      clients[0].send(payload('hello everyone'));
      try {
        for (const c of clients)
          await c.nextFrame((f) => f.data === message('hello everyone'), 20000, 'the broadcast');
      } catch (e) {
        throw new Error(`${e.message}\nthe server's log:\n${srv.stderr().slice(-6000)}`);
      }
      await until(() => srv.stderr().includes('REPORT RequestId'), { timeoutMs: 5000 });
      if (staleDeleted) {
        await until(async () => (await ids()).length === 3, { timeoutMs: 10000 });
      } else {
        assert.equal((await ids()).length, 6, 'the stale rows stay: the seed only logs the failure');
        assert.match(srv.stderr(), /\[SendMessageFunction\] [0-9a-f-]{36}  Failed to post to connection AAAAAAAAAAAAAAA=: .*GoneException/);
      }
      // A second message through the warm environments.
      clients[1].send(payload('again'));
      for (const c of clients) await c.nextFrame((f) => f.data === message('again'), 10000, 'the second broadcast');

      await clients[0].close();
      await until(async () => (await ids()).filter((id) => !STALE.includes(id)).length === 2, { timeoutMs: 10000 });
    });
  });
}

suite("the seed's Python functions (boto3, https://{domainName}/{stage})", {
  template: 'seed-python/template.yaml',
  table: 'websocket-connections',
  key: 'connectionid',
  payload: (text) => ({ action: 'sendmessage', message: text }),
  message: (text) => text,
  staleDeleted: false,
  paginates: true,
});

suite('a Node.js 20 chat app in the shape of simple-websockets-chat-app (SDK v3, ES modules)', {
  template: 'node-chat/template.yaml',
  table: 'simplechat_connections',
  key: 'connectionId',
  payload: (text) => ({ action: 'sendmessage', data: text }),
  message: (text) => text,
  staleDeleted: true,
  paginates: false,
});

describe('a management client without an endpoint (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI), against SigV4 keys', () => {
  let dataDir;
  let srv;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-signed-'));
    writeFileSync(join(dataDir, 'keys'), 'AKIDPARLEYTEST00001:the-secret-of-the-test-key\n');
    srv = await startServer({
      integration: 'in-process',
      args: ['--lambda', 'process', '--template', join(here, 'fixtures', 'node-signed', 'template.yaml'),
        '--management-keys', join(dataDir, 'keys')],
    });
  });
  after(async () => {
    await closeAll();
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the function's SDK finds the endpoint and signs with a key the gateway accepts", async () => {
    const c = await connect(srv.wsUrl);
    c.send({ action: 'echo', text: 'hi' });
    await c.nextFrame((f) => f.data === 'echo: hi', 15000, 'the echo');
    const unsigned = await fetchT(`${srv.mgmtUrl}/@connections/AAAAAAAAAAAAAAA=`, { method: 'POST', body: 'x' });
    assert.equal(unsigned.status, 403, 'the management API demands SigV4 here');
  });
});
