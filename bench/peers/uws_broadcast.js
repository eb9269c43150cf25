// Broadcast peer on uWebSockets.js (npm `uwebsockets`, a third party's republication of the
// uWebSockets.js binaries: the official package is installed from GitHub, not npm; bench/README.md).
// Pub/sub, one topic per room: a connection subscribes to the topic of its `?room=` (the one
// topic `room` without it) and every message it sends is published to that topic, the sender
// included (app.publish, not ws.publish, which would skip the sender) so every peer delivers a
// copy to every member of the room like Parley does.
// Usage: node uws_broadcast.js PORT
'use strict';
const uWS = require('uwebsockets');

const port = Number(process.argv[2] || 9001);
const app = uWS.App();
app.ws('/*', {
  compression: uWS.DISABLED,
  maxPayloadLength: 128 * 1024,
  idleTimeout: 0,
  // Past this a subscriber's publishes are skipped: large enough that a bench reader that keeps
  // up never loses one, small enough to keep memory bounded (uWebSockets' own default is 64 KiB).
  maxBackpressure: 4 * 1024 * 1024,
  // The room is read from the query before the upgrade (the request is gone afterwards) and kept
  // in the connection's user data.
  upgrade: (res, req, context) => {
    const topic = req.getQuery('room') || 'room';
    res.upgrade({ topic }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws) => ws.subscribe(ws.getUserData().topic),
  message: (ws, message, isBinary) => app.publish(ws.getUserData().topic, message, isBinary),
});
app.listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws_broadcast: cannot listen on ${port}`);
    process.exit(1);
  }
  console.log(`uws_broadcast listening on ${port}`);
});
