// Broadcast peer on uWebSockets.js (npm `uwebsockets`): every connection subscribes to one topic
// and every message received is published to it, the sender included (app.publish, not
// ws.publish, which would skip the sender) so every peer delivers N copies like Parley does.
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
  open: (ws) => ws.subscribe('room'),
  message: (ws, message, isBinary) => app.publish('room', message, isBinary),
});
app.listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws_broadcast: cannot listen on ${port}`);
    process.exit(1);
  }
  console.log(`uws_broadcast listening on ${port}`);
});
