// Broadcast peer on Node `ws`: rooms by hand, a Map from room to its set of clients. A client is
// in the room of its `?room=` (one room `room` without it); every message it sends is sent to
// every open client of that room, the sender included, one send per client (ws has no shared
// pre-framed message).
// Usage: node ws_broadcast.js PORT
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 9002);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, backlog: 4096 });
const rooms = new Map();  // room -> Set of clients
wss.on('connection', (ws, req) => {
  const name = new URL(req.url, 'http://peer').searchParams.get('room') || 'room';
  let room = rooms.get(name);
  if (!room) rooms.set(name, room = new Set());
  room.add(ws);
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0 && rooms.get(name) === room) rooms.delete(name);
  });
  ws.on('message', (data, isBinary) => {
    for (const client of room) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`ws_broadcast listening on ${port}`));
