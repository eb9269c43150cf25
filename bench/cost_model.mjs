#!/usr/bin/env node
// The capacity and cost model of docs/scaling.md ("Capacity and cost: 1 million connections and
// 10,000 messages/s in rooms of 10"): every figure of that section's tables comes from here, so a
// reader can change one assumption and see what follows.
//
//   node bench/cost_model.mjs                          the tables, as markdown
//   node bench/cost_model.mjs --set sessionMinutes=30  the same with an assumption changed
//   node bench/cost_model.mjs --write docs/scaling.md  replace the doc's generated block
//   node bench/cost_model.mjs --check docs/scaling.md  exit 1 when the doc's block differs
//
// No dependency, no network: prices and quotas are inputs (with where each was read), the
// per-operation counts are the handlers' own (src/handlers, src/store/dynamodb; see OPS).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASSUMPTIONS, SOURCES } from './cost_assumptions.mjs';

export { ASSUMPTIONS, SOURCES };
export const BEGIN = '<!-- cost_model.mjs: generated, do not edit by hand -->';
export const END = '<!-- end of cost_model.mjs output -->';

// What one operation of each route does, counted from the code at 3b4d924 (docs/scaling.md,
// "What a message costs in DynamoDB", corrected there for the second members Query).
// in: frames the client sends (metered by API Gateway); posts: post_to_connection calls;
// rounds: posts the handler waits for one after the other; calls: DynamoDB requests, in order;
// rru/wru: request units (strongly consistent reads: 1 per 4 KB; writes under 1 KB: 1 each).
export function ops(a) {
  const n = a.roomSize;
  const membersQuery = Math.ceil((n * a.memberItemBytes) / 4096);
  const historyQuery = Math.ceil((a.historyPage * a.messageItemBytes) / 4096);
  const perSecondConnects = a.connections / (a.sessionMinutes * 60);
  return {
    // send_message.cpp: room_members, append (claim, counter, put, record), room_members again,
    // ack, then one post per member (the sender too).
    sendmessage: { rate: a.messagesPerSecond, in: 1, posts: 1 + n, rounds: 2,
      calls: a.clientMsgId ? 6 : 4, rru: 2 * membersQuery, wru: a.clientMsgId ? 4 : 2, fanout: n - 1 },
    // connect.cpp: name_taken (Query), put_connection (UpdateItem), put_member (UpdateItem of the
    // room list + PutItem, + its GSI entry), announce (Query + a presence post to the others).
    connect: { rate: perSecondConnects, in: 0, posts: n - 1, rounds: 1,
      calls: 5, rru: 2 * membersQuery, wru: 4, fanout: n - 1 },
    // meta.cpp hello → Store::connection_view: GetItem connection, memberships (GetItem of its
    // room list + GetItem member), last_seq (GetItem rooms), the newest page (Query messages);
    // then welcome and one history frame.
    hello: { rate: perSecondConnects, in: 1, posts: 2, rounds: 2,
      calls: 5, rru: 4 + historyQuery, wru: 0, fanout: 0 },
    // disconnect.cpp: memberships (2 GetItems), DeleteItem connection, exit_room: DeleteItem
    // member (+ GSI), the room-list UpdateItem (its condition fails: the row is gone, 1 WRU all
    // the same), announce (Query + a presence post to the others).
    disconnect: { rate: perSecondConnects, in: 0, posts: n - 1, rounds: 1,
      calls: 6, rru: 2 + membersQuery, wru: 4, fanout: n - 1 },
    // meta.cpp ping: the pong, no store.
    ping: { rate: a.connections / a.pingSeconds, in: 1, posts: 1, rounds: 1,
      calls: 0, rru: 0, wru: 0, fanout: 0 },
  };
}

const sum = (o, f) => Object.values(o).reduce((s, x) => s + f(x), 0);

// Tiered price: tiers = [[units up to, price per unit], ...], the last one open-ended.
function tiered(units, tiers) {
  let cost = 0, below = 0;
  for (const [upTo, price] of tiers) {
    const inTier = Math.max(0, Math.min(units, upTo) - below);
    cost += inTier * price;
    below = upTo;
    if (units <= upTo) break;
  }
  return cost;
}

export function model(a) {
  const o = ops(a);
  const month = 3600 * a.hoursPerMonth;
  const r = { ops: o, month };
  const lambdaMs = (x) => x.calls * a.dynamoMs + x.rounds * a.awsPostMs + a.lambdaOverheadMs;

  // ---- DynamoDB: identical on AWS and on self-hosted nodes (only the posts differ).
  const rru = sum(o, (x) => x.rate * x.rru), wru = sum(o, (x) => x.rate * x.wru);
  const storedPerMonthGB = (a.messagesPerSecond * month * a.storedBytesPerMessage) / 2 ** 30;
  const dynamo = {
    rru, wru,
    onDemand: (rru * month * a.priceRRU + wru * month * a.priceWRU) / 1e6,
    provisioned: ((rru * a.priceRCUHour + wru * a.priceWCUHour) / a.provisionedUtilization) * a.hoursPerMonth,
    storedPerMonthGB,
    storageMonth1: 0.5 * storedPerMonthGB * a.priceStorageGBMonth,
    storageMonth12: 11.5 * storedPerMonthGB * a.priceStorageGBMonth,
    callsPerSecond: sum(o, (x) => x.rate * x.calls),
  };
  r.dynamo = dynamo;

  // ---- Bytes to the clients (the same frames whoever sends them).
  const m = o.sendmessage, c = o.connect;
  const outBytes = m.rate * (a.roomSize * a.messageFrameBytes + a.ackFrameBytes) +
    c.rate * (2 * (a.roomSize - 1) * a.presenceFrameBytes + a.welcomeFrameBytes +
              a.historyPage * a.messageFrameBytes) + o.ping.rate * a.pongFrameBytes;
  const egressGB = (outBytes * month) / 2 ** 30;
  const egress = { outBytes, egressGB, cost: tiered(egressGB, a.egressTiers) };
  r.egress = egress;

  // ---- AWS: API Gateway, Lambda.
  const inFrames = sum(o, (x) => x.rate * x.in), posts = sum(o, (x) => x.rate * x.posts);
  const messages = (inFrames + posts) * month;
  const invocations = sum(o, (x) => x.rate);
  const gbSeconds = sum(o, (x) => (x.rate * lambdaMs(x) * a.lambdaMemoryMB) / 1024 / 1000) * month;
  const aws = {
    inFrames, posts, messages,
    messagesCost: tiered(messages / 1e6, a.wsMessageTiers),
    connectionMinutes: a.connections * 60 * a.hoursPerMonth,
    invocations,
    concurrency: sum(o, (x) => (x.rate * lambdaMs(x)) / 1000),
    gbSeconds,
    lambdaMs: Object.fromEntries(Object.entries(o).map(([k, x]) => [k, lambdaMs(x)])),
  };
  aws.connectionCost = (aws.connectionMinutes / 1e6) * a.priceConnectionMinutePerMillion;
  aws.requestsCost = ((invocations * month) / 1e6) * a.priceLambdaRequestPerMillion;
  aws.durationCost = gbSeconds * a.priceLambdaGBSecond;
  aws.total = aws.messagesCost + aws.connectionCost + aws.requestsCost + aws.durationCost +
    dynamo.onDemand + dynamo.storageMonth1 + egress.cost;
  r.aws = aws;

  // ---- Quotas that bind (AWS) or that any deployment on DynamoDB meets.
  const mq = Math.ceil((a.roomSize * a.memberItemBytes) / 4096);
  const hotQuery = Math.ceil((a.hotRoomMembers * a.memberItemBytes) / 4096);
  r.quotas = {
    apigwRps: inFrames + posts,
    newConnections: o.connect.rate,
    reconnectAllSeconds: a.connections / a.quotaNewConnections,
    maxConnections: a.quotaNewConnections * a.maxConnectionSeconds,
    clientmsgsWru: a.clientMsgId ? 2 * a.messagesPerSecond : 0,
    membersRru: o.sendmessage.rate * 2 * mq + o.connect.rate * 2 * mq + o.hello.rate + o.disconnect.rate * (1 + mq),
    perRoomMessages: a.messagesPerSecond / (a.connections / a.roomSize),
    hotRoomReadsPerMessage: 2 * hotQuery,
    hotRoomMaxMessages: a.partitionRCU / (2 * hotQuery),
  };

  // ---- Self-hosted nodes. Each configuration: the smallest node count k that meets every
  // constraint, given that the cross-node share of the fan-out itself depends on k.
  r.nodes = a.nodeConfigs.map((cfg) => sizeNodes(a, o, cfg, dynamo, egress));
  return r;
}

// Other members on other nodes when members sit on nodes at random: (n-1)(k-1)/k; the distinct
// nodes they sit on (one batched request each): (k-1)(1-(1-1/k)^(n-1)).
export const remoteRecipients = (others, k) => (others * (k - 1)) / k;
export const remoteNodes = (others, k) => (k - 1) * (1 - (1 - 1 / k) ** others);

function nodeLoad(a, o, cfg, k) {
  const fanouts = sum(o, (x) => (x.fanout > 0 ? x.rate : 0));
  const others = a.roomSize - 1;
  const recipients = cfg.crossNode === 'affinity' ? 0 : remoteRecipients(others, k);
  const requestsPerFanout = cfg.crossNode === 'affinity' ? 0
    : cfg.crossNode === 'batch' ? remoteNodes(others, k) : recipients;
  const requests = fanouts * requestsPerFanout;
  const frames = sum(o, (x) => x.rate * x.posts);
  const cpuUs = o.sendmessage.rate * a.messageBaseUs + o.connect.rate * a.connectHelloUs +
    o.disconnect.rate * a.disconnectUs + o.ping.rate * a.pingUs +
    sum(o, (x) => x.rate * x.calls) * a.dynamoCallUs + frames * a.frameUs +
    requests * (a.nodeRequestSendUs + a.nodeRequestReceiveUs);
  // A handler thread is held for its DynamoDB calls, one after the other, and for its remote
  // posts (one round: they go out side by side and the handler waits for the answers).
  const remoteRound = requestsPerFanout > 0 ? a.nodePostMs : 0;
  const handlerBusy = sum(o, (x) => x.rate * (x.calls * a.dynamoMs + (x.fanout ? remoteRound : 0))) / 1000;
  const poolBusy = sum(o, (x) => x.rate * x.calls * a.dynamoMs) / 1000;
  const requestBytes = cfg.crossNode === 'batch'
    ? requests * (a.nodeRequestOverheadBytes + a.messageFrameBytes) + fanouts * recipients * a.batchIdBytes
    : requests * (a.nodeRequestOverheadBytes + a.messageFrameBytes);
  return { cpu: cpuUs / 1e6, handlerBusy, poolBusy, requests, requestBytes, recipients, requestsPerFanout };
}

function sizeNodes(a, o, cfg, dynamo, egress) {
  const perConnBytes = (a.idleKiBPerConnection + a.kernelKiBPerConnection) * 1024;
  const byMemory = Math.ceil((a.connections * perConnBytes) / (a.instanceGiB * 2 ** 30 * a.memoryUtilization));
  const byDescriptors = Math.ceil(a.connections / a.descriptorsPerProcess);
  for (let k = a.minNodes; k < 100000; ++k) {
    const load = nodeLoad(a, o, cfg, k);
    const need = {
      cpu: Math.ceil(load.cpu / (a.instanceVcpus * a.cpuUtilization)),
      'handler threads': Math.ceil(load.handlerBusy / (cfg.handlerThreads * a.cpuUtilization)),
      'DynamoDB connections': Math.ceil(load.poolBusy / (cfg.dynamoPool * a.cpuUtilization)),
      memory: byMemory,
      descriptors: byDescriptors,
      'availability': a.minNodes,
    };
    const [binding, needed] = Object.entries(need).reduce((x, y) => (y[1] > x[1] ? y : x));
    if (needed > k) continue;
    const crossAzGB = ((load.requestBytes * a.crossAzShare(k) * 3600 * a.hoursPerMonth) / 2 ** 30);
    const ec2 = k * a.instancePricePerHour * a.hoursPerMonth;
    const lb = (a.nlbPerHour + a.nlcuPerHour * nlcus(a, egress)) * a.hoursPerMonth;
    const crossAzCost = crossAzGB * a.priceCrossAzGB;
    return { cfg, k, binding, need, load, ec2, lb, crossAzGB, crossAzCost,
      total: ec2 + lb + crossAzCost + dynamo.onDemand + dynamo.storageMonth1 + egress.cost };
  }
  throw new Error(`no node count fits ${cfg.name}`);
}

// NLB capacity units of a TLS listener: the largest of its three dimensions.
function nlcus(a, egress) {
  const newPerSecond = a.connections / (a.sessionMinutes * 60);
  const gbPerHour = (egress.outBytes * 3600) / 2 ** 30;
  return Math.max(newPerSecond / a.nlcuNewTls, a.connections / a.nlcuActiveTls, gbPerHour / a.nlcuGBPerHour);
}

// ---- Markdown.
const fmt = (x, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (x) => `$${fmt(x)}`;
const usdh = (x, a) => `$${fmt(x / a.hoursPerMonth, 2)}`;
const row = (cells) => `| ${cells.join(' | ')} |`;

export function render(a) {
  const r = model(a);
  const o = r.ops, aws = r.aws, d = r.dynamo;
  const L = [];
  L.push('**Per operation** (counted from the code; "rate" from the assumptions below):', '');
  L.push(row(['operation', 'rate (/s)', 'frames in', 'posts', 'DynamoDB calls', 'RRU', 'WRU', 'Lambda ms (assumed)', 'Lambda GB-s per month']));
  L.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const [name, x] of Object.entries(o)) {
    const gbs = (x.rate * aws.lambdaMs[name] * a.lambdaMemoryMB * r.month) / 1024 / 1000;
    L.push(row([`\`${name}\``, fmt(x.rate), x.in, x.posts, x.calls, x.rru, x.wru, aws.lambdaMs[name], `${fmt(gbs / 1e6, 1)} M`]));
  }
  L.push('', '**On AWS** (API Gateway + Lambda + DynamoDB on demand; us-east-1; month = ' +
    `${a.hoursPerMonth} h):`, '');
  L.push(row(['item', 'volume per month', 'price', 'per month', 'per hour']));
  L.push(row(['---', '---:', '---', '---:', '---:']));
  const line = (item, volume, price, cost) => L.push(row([item, volume, price, usd(cost), usdh(cost, a)]));
  line(`API Gateway messages (${fmt(aws.inFrames)}/s in + ${fmt(aws.posts)}/s posted)`, `${fmt(aws.messages / 1e9, 1)} billion`,
    '$1.00/M first 1 B, then $0.80/M', aws.messagesCost);
  line('API Gateway connection minutes', `${fmt(aws.connectionMinutes / 1e9, 1)} billion`, '$0.25/M', aws.connectionCost);
  line(`Lambda requests (${fmt(aws.invocations)}/s)`, `${fmt((aws.invocations * r.month) / 1e9, 1)} billion`, '$0.20/M', aws.requestsCost);
  line(`Lambda duration (${a.lambdaMemoryMB} MB, x86_64)`, `${fmt(aws.gbSeconds / 1e6)} M GB-s`, '$0.0000166667/GB-s', aws.durationCost);
  line(`DynamoDB reads (${fmt(d.rru)} RRU/s)`, `${fmt((d.rru * r.month) / 1e9, 1)} billion RRU`, '$0.125/M', (d.rru * r.month * a.priceRRU) / 1e6);
  line(`DynamoDB writes (${fmt(d.wru)} WRU/s)`, `${fmt((d.wru * r.month) / 1e9, 1)} billion WRU`, '$0.625/M', (d.wru * r.month * a.priceWRU) / 1e6);
  line('DynamoDB storage, first month (grows: below)', `${fmt(d.storedPerMonthGB / 1024, 1)} TB added`, '$0.25/GB-month', d.storageMonth1);
  line('Data transfer out to the clients', `${fmt(r.egress.egressGB / 1024, 1)} TB`, '$0.09-0.05/GB, tiered', r.egress.cost);
  L.push(row(['**total**', '', '', `**${usd(aws.total)}**`, `**${usdh(aws.total, a)}**`]));
  L.push('', `Lambda concurrency: ${fmt(aws.concurrency)} at the mean rate. DynamoDB provisioned instead ` +
    `of on demand (at ${fmt(a.provisionedUtilization * 100)} % utilization): ${usd(d.provisioned)} a month instead of ` +
    `${usd(d.onDemand)}. Storage (messages are kept: no TTL) grows by ${fmt(d.storedPerMonthGB / 1024, 1)} TB a month: ` +
    `${usd(d.storageMonth12)} in the twelfth month.`);

  L.push('', '**Self-hosted nodes sharing DynamoDB** (' + `${a.instanceName}, ${a.instanceVcpus} vCPU, ` +
    `${a.instanceGiB} GiB, $${a.instancePricePerHour}/h; sized for ${fmt(a.cpuUtilization * 100)} % ` +
    'CPU/thread/connection use at the mean rate):', '');
  L.push(row(['configuration', 'nodes', 'bound by', 'vCPU busy', 'node-to-node requests/s', 'cross-AZ GB/month',
    'EC2', 'NLB', 'cross-AZ', 'DynamoDB + egress', 'total per month', 'per hour']));
  L.push(row(['---', '---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const n of r.nodes) {
    L.push(row([n.cfg.name, n.k, n.binding, fmt(n.load.cpu, 1), fmt(n.load.requests), fmt(n.crossAzGB),
      usd(n.ec2), usd(n.lb), usd(n.crossAzCost), usd(d.onDemand + d.storageMonth1 + r.egress.cost),
      `**${usd(n.total)}**`, usdh(n.total, a)]));
  }
  L.push('', 'Nodes each constraint asks for, per configuration:', '');
  const keys = Object.keys(r.nodes[0].need);
  L.push(row(['configuration', ...keys]));
  L.push(row(['---', ...keys.map(() => '---:')]));
  for (const n of r.nodes) L.push(row([n.cfg.name, ...keys.map((k) => n.need[k])]));

  const q = r.quotas;
  L.push('', '**Quotas** (defaults; the model\'s load at its mean rate):', '');
  L.push(row(['quota', 'default', 'this load', 'verdict']));
  L.push(row(['---', '---:', '---:', '---']));
  const ratio = (x, lim) => `${fmt(x / lim, x / lim < 10 ? 2 : 0)}×`;
  L.push(row(['API Gateway requests/s (frames in + `@connections` posts)', fmt(a.quotaApigwRps), fmt(q.apigwRps),
    `${ratio(q.apigwRps, a.quotaApigwRps)} the default: binds; ask for ${fmt(Math.ceil((q.apigwRps * 2) / 10000) * 10000)}/s (twice the mean)`]));
  L.push(row(['new connections/s', fmt(a.quotaNewConnections), fmt(q.newConnections),
    `fits at the mean; everyone reconnecting (a deploy, an outage) takes ${fmt(q.reconnectAllSeconds / 60)} min`]));
  L.push(row(['concurrent connections', 'none (rate × 2 h)', fmt(a.connections),
    `at most ${fmt(q.maxConnections)} with 500/s and 2 h connections`]));
  L.push(row(['Lambda concurrency', fmt(a.quotaLambdaConcurrency), fmt(aws.concurrency),
    `${ratio(aws.concurrency, a.quotaLambdaConcurrency)}: no room for a 2× peak; raise`]));
  L.push(row(['DynamoDB WRU/s, busiest table (`clientmsgs`)', fmt(a.quotaTableUnits), fmt(q.clientmsgsWru),
    `fits; a new table takes ${fmt(a.warmWritesNewTable)} at once: pre-warm it (warm throughput) before launch`]));
  L.push(row(['DynamoDB RRU/s, `members`', fmt(a.quotaTableUnits), fmt(q.membersRru), 'fits']));
  L.push(row(['writes/s on one key (a room\'s `rooms` counter, its `messages` partition)', fmt(a.partitionWCU),
    fmt(q.perRoomMessages, 1), `fits in rooms of ${a.roomSize}; one room takes at most ~${fmt(a.partitionWCU)} messages/s`]));
  L.push(row([`reads/s on one key (the \`members\` Query of a room of ${fmt(a.hotRoomMembers)})`, fmt(a.partitionRCU),
    `${fmt(q.hotRoomReadsPerMessage)} per message`, `such a room stalls at ~${fmt(q.hotRoomMaxMessages, 1)} messages/s unless DynamoDB splits its partition`]));

  L.push('', '**Cross-node fan-out** (members on random nodes; per message to a room of ' +
    `${a.roomSize}, whose sender is always local):`, '');
  const ks = [2, 3, 5, 10, 20, 50];
  L.push(row(['nodes k', ...ks.map(String)]));
  L.push(row(['---', ...ks.map(() => '---:')]));
  L.push(row(['remote members = requests, one per recipient (before the batch post), (n−1)(k−1)/k', ...ks.map((k) => fmt(remoteRecipients(a.roomSize - 1, k), 2))]));
  L.push(row(['requests with the batch post (one per node, as shipped), (k−1)(1−(1−1/k)^(n−1))', ...ks.map((k) => fmt(remoteNodes(a.roomSize - 1, k), 2))]));
  L.push(row([`requests/s at ${fmt(a.messagesPerSecond)} messages/s, one per recipient`, ...ks.map((k) => fmt(a.messagesPerSecond * remoteRecipients(a.roomSize - 1, k)))]));
  L.push(row([`requests/s at ${fmt(a.messagesPerSecond)} messages/s, batch post`, ...ks.map((k) => fmt(a.messagesPerSecond * remoteNodes(a.roomSize - 1, k)))]));

  const best = r.nodes.reduce((x, y) => (y.total < x.total ? y : x));
  L.push('', '**Totals** (per month; DynamoDB and data transfer out are in every row):', '');
  L.push(row(['deployment', 'per month', 'per hour', 'of which DynamoDB']));
  L.push(row(['---', '---:', '---:', '---:']));
  const ddb = d.onDemand + d.storageMonth1;
  L.push(row(['AWS: API Gateway + Lambda, DynamoDB on demand', usd(aws.total), usdh(aws.total, a), usd(ddb)]));
  const awsProv = aws.total - d.onDemand + d.provisioned;
  L.push(row(['AWS, DynamoDB provisioned', usd(awsProv), usdh(awsProv, a), usd(d.provisioned + d.storageMonth1)]));
  L.push(row([`nodes as shipped (${r.nodes[0].k} × ${a.instanceName}), on demand`, usd(r.nodes[0].total), usdh(r.nodes[0].total, a), usd(ddb)]));
  L.push(row([`nodes, cheapest row above (${best.k} × ${a.instanceName}), on demand`, usd(best.total), usdh(best.total, a), usd(ddb)]));
  const bestProv = best.total - d.onDemand + d.provisioned;
  L.push(row([`nodes, cheapest row, DynamoDB provisioned`, usd(bestProv), usdh(bestProv, a), usd(d.provisioned + d.storageMonth1)]));

  L.push('', '**Assumptions** (change any with `--set name=value`):', '');
  L.push(row(['name', 'value', 'what', 'source']));
  L.push(row(['---', '---', '---', '---']));
  for (const [name, meta] of Object.entries(a.meta)) {
    const v = a[name];
    const shown = meta.shown ?? (typeof v === 'number' ? fmt(v, String(v).split('.')[1]?.length ?? 0) : String(v));
    L.push(row([`\`${name}\``, shown, meta.what, meta.src]));
  }
  L.push('', 'Sources (looked up on 2026-12-07):', '');
  for (const [key, text] of SOURCES) L.push(`* [${key}] ${text}`);
  return L.join('\n') + '\n';
}

// --set name=value: numbers, true/false; anything else is refused (a typo must not pass silently).
export function withSets(base, sets) {
  const a = { ...base };
  for (const s of sets) {
    const [name, raw] = s.split('=');
    if (!(name in base.meta) || typeof base[name] === 'function' || Array.isArray(base[name]))
      throw new Error(`--set ${name}: not a settable assumption (see the table's names)`);
    const v = typeof base[name] === 'string' ? raw
      : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`--set ${s}: not a number`);
    if (typeof v !== typeof base[name]) throw new Error(`--set ${s}: ${name} is a ${typeof base[name]}`);
    a[name] = v;
  }
  return a;
}

export function replaceBlock(doc, block) {
  const i = doc.indexOf(BEGIN), j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error('the doc has no generated block (markers missing)');
  return doc.slice(0, i + BEGIN.length) + '\n\n' + block + '\n' + doc.slice(j);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const sets = [], mode = { write: null, check: null };
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--set') sets.push(args[++i] ?? '');
    else if (args[i] === '--write') mode.write = args[++i];
    else if (args[i] === '--check') mode.check = args[++i];
    else { console.error(`unknown argument ${args[i]}`); process.exit(2); }
  }
  let a;
  try { a = withSets(ASSUMPTIONS, sets); } catch (e) { console.error(e.message); process.exit(2); }
  const block = render(a);
  if (mode.write) writeFileSync(mode.write, replaceBlock(readFileSync(mode.write, 'utf8'), block));
  else if (mode.check) {
    const doc = readFileSync(mode.check, 'utf8');
    if (replaceBlock(doc, block) !== doc) {
      console.error(`${mode.check}: the generated block differs from bench/cost_model.mjs's output; ` +
        `run: node bench/cost_model.mjs --write ${mode.check}`);
      process.exit(1);
    }
  } else process.stdout.write(block);
}
