// deploy/template.yaml checked against the code: every route of the handlers' router has a
// function, an integration and a permission; the tables have their keys, GSI and TTL; and each
// function's IAM policy grants exactly the DynamoDB actions, on exactly the tables/index, that
// its handler's code calls, plus ManageConnections for POST on this API's stage only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The npm packages live in test/integration (one package.json for every JS test).
const require = createRequire(join(root, 'test', 'integration', 'package.json'));
const YAML = require('yaml');

// CloudFormation's short-form intrinsics, read as their long forms.
// A tagged sequence or map (!If [a, b, c]) resolves to its plain JSON, nested tags included.
const tag = (name, fn) => ({ tag: `!${name}`, resolve: (v) => ({ [fn]: typeof v?.toJSON === 'function' ? v.toJSON() : v }) });
const customTags = ['Ref', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'ImportValue', 'Not', 'And']
  .flatMap((n) => {
    const fn = n === 'Ref' ? 'Ref' : `Fn::${n}`;
    return [tag(n, fn), { ...tag(n, fn), collection: 'seq' }, { ...tag(n, fn), collection: 'map' }];
  });
const template = YAML.parse(readFileSync(join(root, 'deploy', 'template.yaml'), 'utf8'), { customTags });
const resources = template.Resources;
const ofType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);

// ---- What the code calls, the expectation the policies are checked against.
//
// Store methods per handler, transitively (src/handlers):
//   broadcast (fanout.cpp) posts to a room and, on 410, forget_connection: memberships,
//     delete_member, delete_connection;
//   enter_room (membership.cpp): name_taken, put_member, room_members (announce), broadcast;
//   exit_room: delete_member, room_members (announce), broadcast;  find_membership: find_member;
//   send_history: last_seq, messages_before, messages_after;
//   send_message (send_message.cpp; also reached from $default with a "message"):
//     get_connection (no room given), room_members, append_message, broadcast.
const FORGET = ['memberships', 'delete_member', 'delete_connection'];
const ENTER = ['name_taken', 'put_member', 'room_members', ...FORGET];
const EXIT = ['room_members', 'delete_member', ...FORGET];
const HISTORY = ['last_seq', 'messages_before', 'messages_after'];
const SEND = ['get_connection', 'room_members', 'append_message', ...FORGET];
const HANDLER_CALLS = {
  connect: ['put_connection_and_member', 'name_taken', 'room_members', ...FORGET],  // connect.cpp: both rows at once, announce
  disconnect: ['memberships', 'delete_connection', ...EXIT],    // disconnect.cpp: exit_room per room
  default: SEND,                                                // default_route.cpp
  sendmessage: SEND,
  join: ['find_member', 'last_seq', 'get_connection', ...ENTER, ...HISTORY],  // rooms.cpp join
  leave: ['find_member', ...EXIT],                              // rooms.cpp leave
  setname: ['get_connection', 'memberships', 'name_taken', 'rename', 'room_members', ...FORGET],  // presence.cpp: one rename
  history: ['get_connection', 'find_member', ...HISTORY],       // history.cpp (dm rooms read the name)
  who: ['room_members'],                                           // presence.cpp who
  dm: ['memberships', 'room_members', 'get_connection', 'append_message'],  // dm.cpp: one post, no forget
  hello: ['connection_view', 'get_connection', 'memberships', ...HISTORY],  // meta.cpp hello (read by read when the view fails)
  ping: [],                                                     // meta.cpp ping: one post
};
// store::Dynamo's operations per Store method (src/store/dynamodb/dynamo_store.cpp and
// dynamo_append.cpp: the clientmsgs claim is put, read, taken over (update), released
// (delete) and completed (update); the seq comes from UpdateItem ADD on rooms; the message is a
// conditional put, read back when the put conflicts; a claim taken over from a dead attempt
// first queries the room's newest messages for the one it may have stored).
// A connection's rooms: its row's room list (UpdateItem ADD/DELETE with the member row's put and
// delete), read back as the row and each member row (GetItem, consistent); the GSI only for a
// row that keeps no list.
const MEMBERSHIPS = [
  ['ConnectionsTable', 'GetItem'], ['MembersTable', 'GetItem'], ['MembersTable/index/connection-index', 'Query'],
];
const STORE_OPS = {
  put_connection: [['ConnectionsTable', 'UpdateItem']],  // an UpdateItem that keeps the room list
  // The Store port's default on DynamoDB: put both, delete the connection if the member fails.
  put_connection_and_member: [
    ['ConnectionsTable', 'UpdateItem'], ['MembersTable', 'PutItem'], ['ConnectionsTable', 'DeleteItem'],
  ],
  get_connection: [['ConnectionsTable', 'GetItem']],
  // The Store port's default on DynamoDB: get_connection, memberships, last_seq and
  // messages_before one by one (one read transaction on SQLite).
  connection_view: [
    ['ConnectionsTable', 'GetItem'], ...MEMBERSHIPS, ['RoomsTable', 'GetItem'],
    ['MessagesTable', 'Query'], ['MessagesTable', 'PutItem'], ['MessagesTable', 'GetItem'],
  ],
  delete_connection: [['ConnectionsTable', 'DeleteItem']],
  // The Store port's default on DynamoDB: the member rows (put_member), then the connection row
  // (put_connection); on a failure the replaced names written back the same way.
  rename: [['ConnectionsTable', 'UpdateItem'], ['MembersTable', 'PutItem']],
  put_member: [['ConnectionsTable', 'UpdateItem'], ['MembersTable', 'PutItem']],
  delete_member: [['MembersTable', 'DeleteItem'], ['ConnectionsTable', 'UpdateItem']],
  find_member: [['MembersTable', 'GetItem']],  // join/leave/history decide on the row itself
  // room_members and name_taken are members() on DynamoDB (the Store port's defaults).
  room_members: [['MembersTable', 'Query']],
  name_taken: [['MembersTable', 'Query']],
  memberships: MEMBERSHIPS,
  last_seq: [['RoomsTable', 'GetItem']],
  // A history read seals the empty seqs it passes (dynamo_history.cpp: a conditional put, and a
  // get of what won when it conflicts).
  messages_before: [['MessagesTable', 'Query'], ['MessagesTable', 'PutItem'], ['MessagesTable', 'GetItem']],
  messages_after: [['MessagesTable', 'Query'], ['MessagesTable', 'PutItem'], ['MessagesTable', 'GetItem']],
  append_message: [
    ['ClientMsgsTable', 'PutItem'], ['ClientMsgsTable', 'GetItem'], ['ClientMsgsTable', 'UpdateItem'],
    ['ClientMsgsTable', 'DeleteItem'], ['RoomsTable', 'UpdateItem'], ['MessagesTable', 'PutItem'],
    ['MessagesTable', 'GetItem'], ['MessagesTable', 'Query'],
  ],
};
const HANDLER_TO_ROUTE = { connect: '$connect', disconnect: '$disconnect', default: '$default' };
const routeKeyOf = (handler) => HANDLER_TO_ROUTE[handler] ?? handler;

// "!GetAtt X.Arn" → "X"; "!Sub ${X.Arn}/index/i" → "X/index/i"; anything else → null.
function tableResource(r) {
  if (r?.['Fn::GetAtt']) {
    const v = r['Fn::GetAtt'];
    const [name, attr] = Array.isArray(v) ? v : v.split('.');
    return attr === 'Arn' ? name : null;
  }
  if (typeof r?.['Fn::Sub'] === 'string') {
    const m = /^\$\{(\w+)\.Arn\}(\/index\/[\w-]+)$/.exec(r['Fn::Sub']);
    return m ? `${m[1]}${m[2]}` : null;
  }
  return null;
}

function statements(fn) {
  const out = [];
  for (const p of fn.Properties.Policies ?? []) {
    assert.equal(typeof p, 'object', 'policies are inline documents, not managed policy names');
    for (const s of p.Statement) out.push(s);
  }
  return out;
}

// The route functions; the $connect authorizer's function is checked on its own below.
const functions = Object.fromEntries(ofType('AWS::Serverless::Function')
  .filter(([, f]) => f.Properties.Handler !== 'authorize'));

test('the router\'s routes are the template\'s routes', () => {
  const router = readFileSync(join(root, 'src', 'handlers', 'router.cpp'), 'utf8');
  const custom = [...router.matchAll(/r\.add\("([a-z]+)"/g)].map((m) => m[1]);
  const reserved = [...router.matchAll(/route_key::(connect|disconnect|default_)\)/g)]
    .map((m) => `$${m[1].replace(/_$/, '')}`);
  const fromCode = new Set([...reserved, ...custom]);
  assert.equal(fromCode.size, 12, `router.cpp routes: ${[...fromCode]}`);
  const fromTemplate = new Set(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey));
  assert.deepEqual([...fromTemplate].sort(), [...fromCode].sort());
  assert.deepEqual(Object.keys(HANDLER_CALLS).map(routeKeyOf).sort(), [...fromCode].sort());
});

test('the API selects routes by $request.body.action', () => {
  const [[, api]] = ofType('AWS::ApiGatewayV2::Api');
  assert.equal(api.Properties.ProtocolType, 'WEBSOCKET');
  assert.equal(api.Properties.RouteSelectionExpression, '$request.body.action');
});

test('every route has an AWS_PROXY integration to the function whose Handler serves it, and a permission', () => {
  for (const [name, route] of ofType('AWS::ApiGatewayV2::Route')) {
    const key = route.Properties.RouteKey;
    const target = /^integrations\/\$\{(\w+)\}$/.exec(route.Properties.Target?.['Fn::Sub'] ?? '');
    assert.ok(target, `${name}: Target is integrations/\${Integration}`);
    const integration = resources[target[1]];
    assert.equal(integration?.Type, 'AWS::ApiGatewayV2::Integration', `${name}: its integration exists`);
    assert.equal(integration.Properties.IntegrationType, 'AWS_PROXY');
    const uri = /functions\/\$\{(\w+)\.Arn\}\/invocations$/.exec(integration.Properties.IntegrationUri['Fn::Sub']);
    assert.ok(uri, `${name}: IntegrationUri names a function`);
    const fn = functions[uri[1]];
    assert.ok(fn, `${name}: function ${uri[1]} exists`);
    assert.equal(routeKeyOf(fn.Properties.Handler), key, `${uri[1]}'s Handler serves ${key}`);

    const permissions = ofType('AWS::Lambda::Permission')
      .filter(([, p]) => p.Properties.FunctionName?.Ref === uri[1]);
    assert.equal(permissions.length, 1, `${uri[1]} has one permission`);
    const perm = permissions[0][1].Properties;
    assert.equal(perm.Action, 'lambda:InvokeFunction');
    assert.equal(perm.Principal, 'apigateway.amazonaws.com');
    assert.equal(perm.SourceArn['Fn::Sub'],
      `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${ChatApi}/\${StageName}/${key}`,
      `${uri[1]}: SourceArn is this API's route only`);
  }
});

test('the deployment waits for every route; the stage deploys it', () => {
  const [[depName, dep]] = ofType('AWS::ApiGatewayV2::Deployment');
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([n]) => n).sort();
  assert.deepEqual([...dep.DependsOn].sort(), routes);
  const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage');
  assert.equal(stage.Properties.DeploymentId.Ref, depName);
  assert.equal(stage.Properties.StageName.Ref, 'StageName');
});

test('one function per route from the one zip, on provided.al2023, with the table names', () => {
  const g = template.Globals.Function;
  assert.equal(g.Runtime, 'provided.al2023');
  assert.equal(g.CodeUri, 'build/parley-lambda.zip');
  assert.deepEqual(g.Architectures, ['x86_64']);
  const vars = g.Environment.Variables;
  assert.deepEqual(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.Ref])), {
    WEBSOCKET_TABLE: 'ConnectionsTable', MEMBERS_TABLE: 'MembersTable', MESSAGES_TABLE: 'MessagesTable',
    ROOMS_TABLE: 'RoomsTable', CLIENTMSGS_TABLE: 'ClientMsgsTable',
  });
  const handlers = Object.values(functions).map((f) => f.Properties.Handler).sort();
  assert.deepEqual(handlers, Object.keys(HANDLER_CALLS).sort());
  for (const [n, f] of Object.entries(functions)) {
    assert.equal(f.Properties.CodeUri, undefined, `${n} uses the global zip`);
    assert.equal(f.Properties.Runtime, undefined, `${n} uses the global runtime`);
  }
});

test('the tables: keys, connection-index, TTL on ttl, on demand', () => {
  const keys = (t) => t.Properties.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`);
  const expected = {
    ConnectionsTable: ['connectionid:HASH'],
    MembersTable: ['room:HASH', 'connectionid:RANGE'],
    MessagesTable: ['room:HASH', 'seq:RANGE'],
    RoomsTable: ['room:HASH'],
    ClientMsgsTable: ['room:HASH', 'clientMsgId:RANGE'],
  };
  const tables = Object.fromEntries(ofType('AWS::DynamoDB::Table'));
  assert.deepEqual(Object.keys(tables).sort(), Object.keys(expected).sort());
  for (const [name, t] of Object.entries(tables)) {
    assert.deepEqual(keys(t), expected[name], `${name} key`);
    assert.equal(t.Properties.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(t.Properties.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
  }
  const [gsi] = tables.MembersTable.Properties.GlobalSecondaryIndexes;
  assert.equal(gsi.IndexName, 'connection-index');
  assert.deepEqual(gsi.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`), ['connectionid:HASH', 'room:RANGE']);
  assert.equal(gsi.Projection.ProjectionType, 'ALL');
});

test('each function\'s policy grants exactly what its handler calls', () => {
  for (const [name, fn] of Object.entries(functions)) {
    const handler = fn.Properties.Handler;
    const expected = new Set(HANDLER_CALLS[handler].flatMap((m) => STORE_OPS[m].map(([r, a]) => `${r} dynamodb:${a}`)));
    const granted = new Set();
    let manage = 0;
    for (const s of statements(fn)) {
      assert.equal(s.Effect, 'Allow');
      const actions = [s.Action].flat();
      const res = [s.Resource].flat();
      if (actions.includes('execute-api:ManageConnections')) {
        assert.deepEqual(actions, ['execute-api:ManageConnections'], `${name}: ManageConnections alone`);
        assert.deepEqual(res.map((r) => r['Fn::Sub']), [
          'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ChatApi}/${StageName}/POST/@connections/*',
        ], `${name}: POST on this API's stage only (no handler calls GET or DELETE @connections)`);
        manage += 1;
        continue;
      }
      for (const r of res) {
        const table = tableResource(r);
        assert.ok(table, `${name}: resource ${JSON.stringify(r)} is a table or index ARN`);
        for (const a of actions) {
          assert.match(a, /^dynamodb:[A-Za-z]+$/, `${name}: no wildcard actions`);
          granted.add(`${table} ${a}`);
        }
      }
    }
    assert.equal(manage, 1, `${name}: one ManageConnections statement (every handler posts)`);
    assert.deepEqual([...granted].sort(), [...expected].sort(), `${name} (${handler})`);
  }
});

test('the expectation table covers every Store method the handlers call', () => {
  const dir = join(root, 'src', 'handlers');
  const called = new Set();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpp'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/store\.(?:[a-z_]+\.)?([a-z_]+)\(/g)) called.add(m[1]);
  }
  const listed = new Set(Object.values(HANDLER_CALLS).flat());
  assert.deepEqual([...called].sort(), [...listed].sort());
  for (const m of called) assert.ok(STORE_OPS[m], `STORE_OPS has ${m}`);
});

// Each `request(tables_.<table>)` in the file is sent by the next `db_.<op>(`.
function dynamoOpsIn(file) {
  const src = readFileSync(join(root, 'src', 'store', 'dynamodb', file), 'utf8');
  const table = { clientmsgs: 'ClientMsgsTable', messages: 'MessagesTable', rooms: 'RoomsTable' };
  const op = { put_item: 'PutItem', get_item: 'GetItem', update_item: 'UpdateItem', delete_item: 'DeleteItem', query_all: 'Query', query: 'Query' };
  const found = new Set();
  let pending = null;
  for (const m of src.matchAll(/request\(tables_\.(\w+)\)|db_\.(\w+)\(/g)) {
    if (m[1]) pending = m[1];
    else if (pending) {
      assert.ok(table[pending] && op[m[2]], `unknown ${pending} / ${m[2]}`);
      found.add(`${table[pending]} ${op[m[2]]}`);
      pending = null;
    }
  }
  return [...found].sort();
}
const listedOps = (method) => [...new Set(STORE_OPS[method].map(([t, a]) => `${t} ${a}`))].sort();

test('append_message\'s operations are what store::Dynamo\'s appender calls', () => {
  assert.deepEqual(dynamoOpsIn('dynamo_append.cpp'), listedOps('append_message'));
});

test('the history reads\' operations are what store::Dynamo\'s history calls (reads seal empty seqs)', () => {
  assert.deepEqual(dynamoOpsIn('dynamo_history.cpp'), listedOps('messages_before'));
  assert.deepEqual(dynamoOpsIn('dynamo_history.cpp'), listedOps('messages_after'));
});

test('outputs: the wss URL and the @connections URL', () => {
  assert.equal(template.Outputs.WebSocketURL.Value['Fn::Sub'],
    'wss://${ChatApi}.execute-api.${AWS::Region}.amazonaws.com/${StageName}');
  assert.equal(template.Outputs.ConnectionsURL.Value['Fn::Sub'],
    'https://${ChatApi}.execute-api.${AWS::Region}.amazonaws.com/${StageName}/@connections');
});

test('the $connect authorizer: on when a JWT secret or JWKS is given, bootstrap\'s authorize, no table access', () => {
  assert.deepEqual(template.Conditions.UseAuthorizer, { 'Fn::Not': [{ 'Fn::And': [
    { 'Fn::Equals': [{ Ref: 'JwtSecret' }, ''] }, { 'Fn::Equals': [{ Ref: 'Jwks' }, ''] }] }] });
  assert.equal(template.Parameters.JwtSecret.NoEcho, true);
  const fn = resources.AuthorizeFunction;
  assert.equal(fn.Condition, 'UseAuthorizer');
  assert.equal(fn.Properties.Handler, 'authorize');
  assert.equal(fn.Properties.Policies, undefined, 'the authorizer reads no table and posts nothing');
  assert.deepEqual(Object.keys(fn.Properties.Environment.Variables).sort(),
    ['PARLEY_JWKS', 'PARLEY_JWT_AUDIENCE', 'PARLEY_JWT_ISSUER', 'PARLEY_JWT_SECRET']);
  const a = resources.Authorizer;
  assert.equal(a.Type, 'AWS::ApiGatewayV2::Authorizer');
  assert.equal(a.Condition, 'UseAuthorizer');
  assert.equal(a.Properties.AuthorizerType, 'REQUEST');
  assert.match(a.Properties.AuthorizerUri['Fn::Sub'], /functions\/\$\{AuthorizeFunction\.Arn\}\/invocations$/);
  assert.deepEqual(a.Properties.IdentitySource, ['route.request.querystring.token']);
  const perm = resources.AuthorizePermission;
  assert.equal(perm.Condition, 'UseAuthorizer');
  assert.equal(perm.Properties.FunctionName.Ref, 'AuthorizeFunction');
  assert.equal(perm.Properties.SourceArn['Fn::Sub'],
    'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ChatApi}/authorizers/${Authorizer}');
  const connect = resources.ConnectRoute.Properties;
  assert.deepEqual(connect.AuthorizationType, { 'Fn::If': ['UseAuthorizer', 'CUSTOM', 'NONE'] });
  assert.deepEqual(connect.AuthorizerId, { 'Fn::If': ['UseAuthorizer', { Ref: 'Authorizer' }, { Ref: 'AWS::NoValue' }] });
  for (const [name, route] of ofType('AWS::ApiGatewayV2::Route'))
    if (name !== 'ConnectRoute') assert.equal(route.Properties.AuthorizationType, 'NONE', `${name}: only $connect is authorized`);
});
