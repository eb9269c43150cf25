// A fault-injecting proxy in front of dynalite (issue 15, items 1 and 9): it forwards every
// DynamoDB request, except the PutItems of one table while `refuse` > 0, which it answers HTTP
// 500 InternalServerError (the store's client retries those as it would AWS's). On the messages
// table only message puts count (seals pass), so the failure lands between the room counter's
// update and the message's put.
//
//   const proxy = await startRefusingProxy(dynalite.url);   // proxy.url for --dynamodb-endpoint
//   proxy.refuse = 4;          // the next 4 message puts fail; Infinity: all until set to 0
//   proxy.table = 'parley-members'; proxy.pass = 1;   // let one member put through first
//   proxy.refused              // how many it refused so far
//   await proxy.close();

import http from 'node:http';

// Forwards every request to dynalite, except puts to `table` while `refuse` > 0 (each refused
// one counts down; Infinity: all of them), after `pass` more have gone through. Seals (message
// puts without an `id`) always pass.
export function startRefusingProxy(target) {
  const state = { refuse: 0, refused: 0, pass: 0, table: 'parley-messages' };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (state.refuse > 0 && /\.PutItem$/.test(req.headers['x-amz-target'] ?? '')) {
        let put = null;
        try { put = JSON.parse(body.toString('utf8')); } catch { /* forwarded as is */ }
        const counts = put && put.TableName === state.table && put.Item &&
          (state.table !== 'parley-messages' || put.Item.id);
        if (counts && state.pass > 0) {
          state.pass -= 1;
        } else if (counts) {
          state.refuse -= 1;
          state.refused += 1;
          res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected by the test proxy' }));
          return;
        }
      }
      const u = new URL(target);
      const fwd = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      });
      fwd.on('error', () => { res.writeHead(502); res.end(); });
      fwd.end(body);
    });
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => {
    state.url = `http://127.0.0.1:${server.address().port}`;
    state.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
    res(state);
  }));
}
