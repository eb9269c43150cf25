/*
 * The WebSocket: connect, keepalive, reconnect with backoff, and the requests sent on it.
 */

import {
  CATCHUP_LIMIT, FORWARD_RETRY_MS, GAP_WAIT_MS, PAGE_SIZE, PING_EVERY_MS, PONG_TIMEOUT_MS,
  REJOIN_EVERY_MS, STABLE_AFTER_MS,
} from './config.js';
import { backoffDelay, socketUrl } from './protocol.js';
import { endpoint, state } from './state.js';
import { loadGuest, saveGuest } from './identity.js';
import { notice, setStatus, updateCountdown } from './notices.js';
import { cur, hasOlder, roomConvs } from './conversations.js';
import { onFrame } from './frames.js';
import { updateHistoryTop } from './render.js';
import { refreshOutboxLabels } from './outbox.js';

// ---- Connection ----

export function connect() {
  clearRetry();
  if (!state.joined || state.ws) return;
  if (navigator.onLine === false) {
    setStatus('offline', 'This device is offline; reconnecting when the network returns.');
    return;
  }
  let ws;
  try {
    ws = new WebSocket(socketUrl(endpoint.base, state.name, state.home, loadGuest()));
  } catch (e) {
    setStatus('offline', String(e && e.message));
    notice('Cannot open the connection: ' + (e && e.message ? e.message : e));
    return;
  }
  state.ws = ws;
  setStatus('connecting');
  const guest = loadGuest();
  let opened = false;
  ws.addEventListener('open', () => {
    opened = true;
    if (state.ws === ws) onOpen();
  });
  ws.addEventListener('close', () => {
    if (!opened && guest) checkGuestRefused(guest);
  });
  ws.addEventListener('message', (ev) => {
    if (state.ws === ws) onFrame(ev.data);
  });
  ws.addEventListener('close', (ev) => {
    if (state.ws === ws) onClose(ev.code, ev.reason);
  });
}

function onOpen() {
  setStatus('online');
  if (state.closedNotice) {
    state.closedNotice.remove();
    state.closedNotice = null;
  }
  // Catch-up: per room, the last seq shown. The server answers the home room's history
  // with exactly the messages after it; the other rooms are rejoined with `since` on welcome.
  const since = {};
  for (const c of roomConvs()) {
    if (c.seq.started) since[c.key] = c.seq.last;
  }
  const hello = { action: 'hello' };
  if (Object.keys(since).length) hello.since = since;
  state.welcomed = false;
  if (sendFrame(hello)) {
    const home = state.convs.get(state.home);
    expect('history', { room: state.home, kind: home && home.seq.started ? 'after' : 'newest' });
  }
  state.stableTimer = setTimeout(() => { state.attempt = 0; }, STABLE_AFTER_MS);
  state.pingTimer = setInterval(ping, PING_EVERY_MS);
}

function ping() {
  if (!sendFrame({ action: 'ping' })) return;
  if (state.pongTimer) return; // an earlier ping is still unanswered: keep its deadline
  state.pongTimer = setTimeout(() => dropSocket('no answer to keepalive'), PONG_TIMEOUT_MS);
}

export function sendFrame(obj) {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(JSON.stringify(obj));
    return true;
  } catch (e) {
    return false;
  }
}

export function expect(action, entry) {
  entry.at = Date.now();
  state.pending[action].push(entry);
}

/** The oldest outstanding request of `action` (for `room`, when given), removed. */
export function settle(action, room) {
  const list = state.pending[action];
  const i = room == null ? 0 : list.findIndex((e) => e.room === room);
  if (i < 0 || i >= list.length) return null;
  return list.splice(i, 1)[0];
}

function stopSocketTimers() {
  clearTimeout(state.stableTimer);
  clearInterval(state.pingTimer);
  clearTimeout(state.pongTimer);
  state.stableTimer = state.pingTimer = state.pongTimer = 0;
}

// Forgets the current socket at once (a dead socket's close event may take minutes) and
// treats it as closed abnormally.
export function dropSocket(reason) {
  const ws = state.ws;
  if (!ws) return;
  try { ws.close(4000, 'client gave up'); } catch (e) { /* already closing */ }
  onClose(1006, reason);
}

// Whatever this socket was doing is void: requests in flight get no answer, and each
// conversation is caught up again on the next welcome/joined.
export function resetSocketState() {
  state.welcomed = false;
  state.connectionId = null;
  for (const k of Object.keys(state.pending)) state.pending[k] = [];
  for (const c of state.convs.values()) {
    c.ready = false;
    c.olderLoading = false;
    clearTimeout(c.gapTimer);
    c.gapTimer = 0;
  }
  // Messages handed to the dead socket are sent again with the same clientMsgId once
  // reconnected: the server stores a clientMsgId once and acks a retry as a duplicate.
  for (const item of state.outbox) {
    if (item.status === 'sending') {
      clearTimeout(item.ackTimer);
      item.status = 'queued';
    }
  }
  refreshOutboxLabels();
  if (cur()) updateHistoryTop();
}

// A handshake that failed while the server answers HTTP: our guest token was refused (403:
// expired, or the server's guest key changed). Forget it: the next connect is a new guest,
// rather than no connect at all. (A browser does not show a refused handshake's status.)
function checkGuestRefused(token) {
  let health;
  try {
    health = new URL(endpoint.base);
    health.protocol = health.protocol === 'wss:' ? 'https:' : 'http:';
    health.pathname = '/healthz';
    health.search = '';
  } catch (e) {
    return;
  }
  fetch(health.href, { cache: 'no-store' }).then((res) => {
    if (!res.ok || loadGuest() !== token) return;
    saveGuest('');
    notice('The server did not recognise your saved guest identity; you are a new guest now.', 'warn');
  }).catch(() => { /* the server is down: keep the token */ });
}

function onClose(code, reason) {
  state.ws = null;
  stopSocketTimers();
  resetSocketState();
  if (!state.joined) return;
  if (code === 1000) {
    // DELETE @connections: the server meant to disconnect us; let the person decide.
    setStatus('offline', 'Disconnected by the server' + (reason ? ': ' + reason : '') + '.');
    if (state.closedNotice) state.closedNotice.remove();
    state.closedNotice = notice('You were disconnected by the server. Use “Reconnect now” to join again.', 'warn');
    return;
  }
  scheduleReconnect(reason);
}

function scheduleReconnect(reason) {
  clearRetry();
  if (navigator.onLine === false) {
    setStatus('offline', 'This device is offline; reconnecting when the network returns.');
    return;
  }
  const delay = backoffDelay(state.attempt);
  state.attempt += 1;
  state.retryAt = Date.now() + delay;
  state.retryTimer = setTimeout(connect, delay);
  state.countdownTimer = setInterval(updateCountdown, 250);
  setStatus('reconnecting', reason ? 'Connection lost: ' + reason : 'Connection lost.');
}

export function clearRetry() {
  clearTimeout(state.retryTimer);
  clearInterval(state.countdownTimer);
  state.retryTimer = state.countdownTimer = 0;
}

export function closeSocket() {
  const ws = state.ws;
  state.ws = null;
  stopSocketTimers();
  clearRetry();
  if (ws) {
    try { ws.close(1000, 'leaving'); } catch (e) { /* ignore */ }
  }
}

// ---- Requests ----

export function sendJoin(conv) {
  const frame = { action: 'join', room: conv.key };
  if (conv.seq.started) frame.since = conv.seq.last;
  if (!sendFrame(frame)) return;
  expect('join', { room: conv.key });
  expect('history', { room: conv.key, kind: conv.seq.started ? 'after' : 'newest', viaJoin: true });
}

export function sendWho(conv) {
  if (conv.kind !== 'room' || !conv.ready || state.unsupported.has('who')) return;
  if (sendFrame({ action: 'who', room: conv.key })) expect('who', { room: conv.key });
}

/** Asks for what follows `last` (or the newest page, for a conversation not loaded yet). */
export function requestForward(conv) {
  if (!conv.ready || state.unsupported.has('history')) return;
  const inFlight = state.pending.history.find((e) => e.room === conv.key && e.kind !== 'before');
  if (inFlight && Date.now() - inFlight.at < FORWARD_RETRY_MS) return;
  const frame = { action: 'history', room: conv.key };
  if (conv.seq.started) {
    frame.after = conv.seq.last;
    frame.limit = CATCHUP_LIMIT;
  }
  if (sendFrame(frame)) expect('history', { room: conv.key, kind: conv.seq.started ? 'after' : 'newest' });
}

export function requestOlder(conv) {
  if (!conv || conv.olderLoading || !conv.ready || !hasOlder(conv)) return;
  if (!sendFrame({ action: 'history', room: conv.key, before: conv.oldest, limit: PAGE_SIZE })) return;
  expect('history', { room: conv.key, kind: 'before' });
  conv.olderLoading = true;
  if (conv === cur()) updateHistoryTop();
}

// Rule 4: a gap (held messages, or a known seq not shown) not filled within GAP_WAIT_MS is
// fetched with history/after; checked again until it is closed.
export function checkGap(conv) {
  if (!conv.seq.gap) {
    clearTimeout(conv.gapTimer);
    conv.gapTimer = 0;
    return;
  }
  if (conv.gapTimer || !conv.ready) return;
  conv.gapTimer = setTimeout(() => {
    conv.gapTimer = 0;
    if (state.convs.get(conv.key) !== conv || !conv.seq.gap) return;
    requestForward(conv);
    checkGap(conv);
  }, GAP_WAIT_MS);
}

// not_member for a room the list shows: the server forgot us (a restart, an expired row).
// Join again with `since`; queued messages go out once joined.
export function tryRejoin(conv) {
  if (!conv || conv.kind !== 'room' || !state.welcomed) return false;
  if (Date.now() - conv.rejoinAt < REJOIN_EVERY_MS) return false;
  conv.rejoinAt = Date.now();
  conv.ready = false;
  sendJoin(conv);
  return true;
}
