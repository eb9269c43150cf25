/*
 * Parley browser client. Speaks docs/protocol.md: JSON frames over one WebSocket, actions
 * `sendmessage`, `hello`, `ping`; events `message`, `welcome`, `pong`, `error`, plus the
 * gateway's type-less frames ({"message":"Forbidden",...}).
 *
 * Runs under a strict CSP (no inline script or style, no eval): user data only ever reaches
 * the page through textContent. In the browser it defines no globals; under Node it exports
 * its pure helpers (module.exports) so they can be unit tested without a DOM.
 */
(function () {
  'use strict';

  // ---- Limits and timings (the server's limits, see protocol.md) ----------------------------
  const MAX_MESSAGE = 4096;            // sendmessage.message, characters
  const COUNTER_FROM = MAX_MESSAGE - 400; // show the counter once this close to the limit
  const DEFAULT_ROOM = 'lobby';
  const DEFAULT_STAGE = 'dev';
  const BACKOFF_BASE_MS = 500;         // first retry after about 0.5 s ...
  const BACKOFF_MAX_MS = 30000;        // ... doubling up to 30 s
  const STABLE_AFTER_MS = 10000;       // a connection open this long resets the backoff
  const PING_EVERY_MS = 5 * 60 * 1000; // the server closes sockets idle for 10 min
  const PONG_TIMEOUT_MS = 30000;       // no pong by then: the socket is dead, reconnect
  const ACK_TIMEOUT_MS = 35000;        // gateway integration timeout (29 s) plus a margin
  const MAX_NOTICES = 4;
  const NEAR_BOTTOM_PX = 48;
  const NAME_KEY = 'parley.name';

  const NAME_RE = /^[A-Za-z0-9 _.-]+$/;
  const ROOM_RE = /^[A-Za-z0-9_.-]+$/;

  // ---- Pure helpers (exported under Node) ---------------------------------------------------

  /** Validates a display name as the server's $connect does; trims surrounding spaces. */
  function validateName(raw) {
    const name = String(raw == null ? '' : raw).trim();
    if (name.length === 0) return { ok: false, name, error: 'Enter a display name.' };
    if (name.length > 32) return { ok: false, name, error: 'Use at most 32 characters.' };
    if (!NAME_RE.test(name)) {
      return { ok: false, name, error: 'Use only letters, digits, spaces, _ - and .' };
    }
    return { ok: true, name };
  }

  /** Validates a room name (1–64 of letters, digits, _ - .); empty means the default room. */
  function validateRoom(raw) {
    const room = String(raw == null ? '' : raw).trim().replace(/^#/, '');
    if (room.length === 0) return { ok: true, room: DEFAULT_ROOM };
    if (room.length > 64) return { ok: false, room, error: 'Use at most 64 characters.' };
    if (!ROOM_RE.test(room)) {
      return { ok: false, room, error: 'Use only letters, digits, _ - and . (no spaces).' };
    }
    return { ok: true, room };
  }

  /** Delay before reconnect attempt `attempt` (0-based): exponential, capped, "equal jitter". */
  function backoffDelay(attempt, random) {
    const rnd = typeof random === 'function' ? random : Math.random;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, Math.max(0, attempt)));
    return Math.round(ceiling / 2 + rnd() * (ceiling / 2));
  }

  function encodeQuery(pairs) {
    return pairs.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
  }

  /**
   * Where to connect. `page` is the page's location ({protocol, host, search}); `metaStage` the
   * <meta name="parley-stage"> content. ?ws=<url> wins, then ?stage=, then the meta, then "dev".
   * Returns {ok, base} or {ok:false, error}; `base` has no name/room yet.
   */
  function resolveEndpoint(page, metaStage) {
    const params = new URLSearchParams(page.search || '');
    const override = params.get('ws');
    if (override) {
      let u;
      try {
        u = new URL(override, page.href || undefined);
      } catch (e) {
        return { ok: false, error: 'The ?ws= address is not a valid URL.' };
      }
      if (u.protocol === 'http:') u.protocol = 'ws:';
      if (u.protocol === 'https:') u.protocol = 'wss:';
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
        return { ok: false, error: 'The ?ws= address must start with ws:// or wss://.' };
      }
      u.hash = '';
      return { ok: true, base: u.href };
    }
    const stage = (params.get('stage') || metaStage || DEFAULT_STAGE).trim().replace(/^\/+|\/+$/g, '');
    const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
    const path = stage.split('/').map(encodeURIComponent).join('/');
    return { ok: true, base: scheme + '//' + page.host + '/' + path };
  }

  /** The socket URL: the endpoint with ?name=&room= set (other query parameters kept). */
  function socketUrl(base, name, room) {
    const u = new URL(base);
    const kept = [];
    u.searchParams.forEach((v, k) => {
      if (k !== 'name' && k !== 'room') kept.push([k, v]);
    });
    kept.push(['name', name], ['room', room]);
    // encodeURIComponent (%20 for a space) rather than URLSearchParams' "+".
    u.search = '?' + encodeQuery(kept);
    return u.href;
  }

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /** Local wall-clock time as HH:MM (24 h). */
  function formatClock(date) {
    return pad2(date.getHours()) + ':' + pad2(date.getMinutes());
  }

  /** Full local date and time for a title attribute. */
  function formatFull(date) {
    try {
      return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });
    } catch (e) {
      return date.toString();
    }
  }

  /** A client message id (≤ 64 chars, the server's limit), unique enough to match echoes. */
  function newClientMsgId() {
    const bytes = new Uint8Array(12);
    const c = typeof crypto !== 'undefined' ? crypto : null;
    if (c && typeof c.getRandomValues === 'function') {
      c.getRandomValues(bytes);
    } else {
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    let hex = '';
    for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
    return 'c-' + Date.now().toString(36) + '-' + hex;
  }

  /**
   * Sorts a received text frame: {kind:'message'|'welcome'|'pong'|'error'|<other type>, data},
   * {kind:'gateway', data} for the gateway's type-less frames, {kind:'invalid'} otherwise.
   */
  function classifyFrame(text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { kind: 'invalid' };
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { kind: 'invalid' };
    if (typeof data.type === 'string') return { kind: data.type, data };
    if (typeof data.message === 'string') return { kind: 'gateway', data };
    return { kind: 'invalid' };
  }

  /** What to send for a typed message: trailing whitespace and leading blank lines dropped. */
  function cleanOutgoing(text) {
    return String(text).replace(/\s+$/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
  }

  const helpers = {
    MAX_MESSAGE, BACKOFF_BASE_MS, BACKOFF_MAX_MS, PING_EVERY_MS,
    validateName, validateRoom, backoffDelay, resolveEndpoint, socketUrl,
    formatClock, formatFull, newClientMsgId, classifyFrame, cleanOutgoing,
  };

  if (typeof module === 'object' && module && module.exports) {
    module.exports = helpers;
  }
  if (typeof document === 'undefined') return;

  // ---- The page -----------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const el = {
    app: $('app'),
    status: $('status'), statusLabel: $('status-label'), statusExtra: $('status-extra'),
    retry: $('retry-button'), leave: $('leave-button'),
    roomInfo: $('room-info'), roomName: $('room-name'), selfName: $('self-name'),
    notices: $('notices'),
    joinView: $('join-view'), joinForm: $('join-form'),
    nameInput: $('name-input'), nameError: $('name-error'),
    roomInput: $('room-input'), roomError: $('room-error'),
    chatView: $('chat-view'), scroller: $('scroller'), list: $('messages'), empty: $('empty-state'),
    jump: $('jump-button'),
    composer: $('composer'), input: $('message-input'), send: $('send-button'), counter: $('counter'),
  };

  const meta = document.querySelector('meta[name="parley-stage"]');
  const endpoint = resolveEndpoint(window.location, meta ? meta.getAttribute('content') : '');

  const state = {
    joined: false,
    name: '',
    room: DEFAULT_ROOM,
    ws: null,
    conn: 'idle',            // idle | connecting | online | reconnecting | offline
    attempt: 0,
    retryTimer: 0, countdownTimer: 0, retryAt: 0,
    stableTimer: 0, pingTimer: 0, pongTimer: 0,
    connectionId: null,
    ownConnectionIds: new Set(), // every id this page had: echoes across reconnects stay "own"
    ownClientMsgIds: new Set(),
    outbox: [],              // {cid, text, status: queued|sending|failed, why, node, ackTimer}
    seenIds: new Set(),
    lastSeq: 0,
    unseenBelow: 0,           // messages added below the viewport while scrolled up
    stuck: true,              // the view follows the newest message
    closedNotice: null,       // the "disconnected by the server" notice, gone once back online
    unread: 0,
  };

  // ---- Storage (may throw: private mode, disabled cookies) ----

  function loadName() {
    try {
      return window.localStorage.getItem(NAME_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function saveName(name) {
    try {
      window.localStorage.setItem(NAME_KEY, name);
    } catch (e) { /* not remembered; harmless */ }
  }

  // ---- Status ----

  const STATUS_TEXT = {
    idle: 'Not connected',
    connecting: 'Connecting…',
    online: 'Online',
    reconnecting: 'Reconnecting',
    offline: 'Offline',
  };

  function setStatus(conn, detail) {
    state.conn = conn;
    el.status.dataset.state = conn;
    el.statusLabel.textContent = STATUS_TEXT[conn];
    el.status.title = detail || '';
    updateCountdown();
    el.retry.hidden = !(state.joined && (conn === 'reconnecting' || conn === 'offline'));
  }

  // The countdown is aria-hidden so screen readers hear "Reconnecting" once, not every second.
  function updateCountdown() {
    if (state.conn !== 'reconnecting') {
      el.statusExtra.textContent = '';
      return;
    }
    const secs = Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000));
    el.statusExtra.textContent = ' in ' + secs + 's';
  }

  // ---- Notices ----

  function notice(text, kind) {
    const box = document.createElement('div');
    box.className = 'notice notice-' + (kind || 'error');
    box.setAttribute('role', kind === 'info' ? 'status' : 'alert');
    box.dataset.testid = 'notice';
    const p = document.createElement('p');
    p.className = 'notice-text';
    p.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'notice-close';
    close.dataset.testid = 'notice-dismiss';
    close.setAttribute('aria-label', 'Dismiss notice');
    close.textContent = '×';
    close.addEventListener('click', () => dismissNotice(box));
    box.append(p, close);
    el.notices.append(box);
    while (el.notices.children.length > MAX_NOTICES) el.notices.firstElementChild.remove();
    return box;
  }

  function dismissNotice(box) {
    const hadFocus = box.contains(document.activeElement);
    box.remove();
    if (hadFocus) focusDefault();
  }

  function focusDefault() {
    (state.joined ? el.input : el.nameInput).focus();
  }

  // ---- Connection ----

  function connect() {
    clearRetry();
    if (!state.joined || state.ws) return;
    if (navigator.onLine === false) {
      setStatus('offline', 'This device is offline; reconnecting when the network returns.');
      return;
    }
    let ws;
    try {
      ws = new WebSocket(socketUrl(endpoint.base, state.name, state.room));
    } catch (e) {
      setStatus('offline', String(e && e.message));
      notice('Cannot open the connection: ' + (e && e.message ? e.message : e));
      return;
    }
    state.ws = ws;
    setStatus('connecting');
    ws.addEventListener('open', () => {
      if (state.ws === ws) onOpen();
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
    sendFrame({ action: 'hello' });
    state.stableTimer = setTimeout(() => { state.attempt = 0; }, STABLE_AFTER_MS);
    state.pingTimer = setInterval(ping, PING_EVERY_MS);
    flushOutbox();
  }

  function ping() {
    if (!sendFrame({ action: 'ping' })) return;
    if (state.pongTimer) return; // an earlier ping is still unanswered: keep its deadline
    state.pongTimer = setTimeout(() => dropSocket('no answer to keepalive'), PONG_TIMEOUT_MS);
  }

  function sendFrame(obj) {
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(obj));
      return true;
    } catch (e) {
      return false;
    }
  }

  function stopSocketTimers() {
    clearTimeout(state.stableTimer);
    clearInterval(state.pingTimer);
    clearTimeout(state.pongTimer);
    state.stableTimer = state.pingTimer = state.pongTimer = 0;
  }

  // Forgets the current socket at once (a dead socket's close event may take minutes) and
  // treats it as closed abnormally.
  function dropSocket(reason) {
    const ws = state.ws;
    if (!ws) return;
    try { ws.close(4000, 'client gave up'); } catch (e) { /* already closing */ }
    onClose(1006, reason);
  }

  function onClose(code, reason) {
    state.ws = null;
    state.connectionId = null;
    stopSocketTimers();
    failInFlight();
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

  function clearRetry() {
    clearTimeout(state.retryTimer);
    clearInterval(state.countdownTimer);
    state.retryTimer = state.countdownTimer = 0;
  }

  function closeSocket() {
    const ws = state.ws;
    state.ws = null;
    stopSocketTimers();
    clearRetry();
    if (ws) {
      try { ws.close(1000, 'leaving'); } catch (e) { /* ignore */ }
    }
  }

  // ---- Incoming frames ----

  function onFrame(raw) {
    if (typeof raw !== 'string') return;
    const f = classifyFrame(raw);
    switch (f.kind) {
      case 'message':
        onMessage(f.data);
        break;
      case 'welcome':
        if (typeof f.data.connectionId === 'string') {
          state.connectionId = f.data.connectionId;
          state.ownConnectionIds.add(f.data.connectionId);
          el.status.dataset.connectionId = f.data.connectionId;
        }
        if (typeof f.data.name === 'string' && f.data.name) el.selfName.textContent = f.data.name;
        if (typeof f.data.room === 'string' && f.data.room) el.roomName.textContent = f.data.room;
        break;
      case 'pong':
        clearTimeout(state.pongTimer);
        state.pongTimer = 0;
        break;
      case 'error':
        onErrorEvent(f.data);
        break;
      case 'gateway':
        notice('Server: ' + f.data.message, 'warn');
        break;
      default:
        // Unknown event types are ignored for forward compatibility.
        break;
    }
  }

  function onErrorEvent(data) {
    const code = typeof data.code === 'string' ? data.code : 'error';
    const text = typeof data.message === 'string' && data.message ? data.message : 'Something went wrong.';
    notice(text + ' (' + code + ')', 'error');
    // The server answers frames in order, and only sendmessage can be too long or malformed:
    // the oldest message still waiting for its echo is the one refused.
    if (code === 'too_long' || code === 'bad_request') {
      const item = state.outbox.find((m) => m.status === 'sending');
      if (item) markFailed(item, code === 'too_long' ? 'Too long for the server.' : 'Refused by the server.');
    }
  }

  function onMessage(m) {
    if (typeof m.text !== 'string') return;
    if (m.id != null) {
      const key = String(m.room || '') + '/' + String(m.id);
      if (state.seenIds.has(key)) return;
      state.seenIds.add(key);
    }
    const seq = typeof m.seq === 'number' ? m.seq : 0;
    if (seq && state.lastSeq && seq > state.lastSeq + 1) {
      systemLine('Some messages were sent while you were disconnected and are not shown.');
    }
    if (seq > state.lastSeq) state.lastSeq = seq;

    const cid = typeof m.clientMsgId === 'string' ? m.clientMsgId : '';
    const own = state.ownConnectionIds.has(m.connectionId) || (cid && state.ownClientMsgIds.has(cid));
    const item = cid ? state.outbox.find((x) => x.cid === cid) : null;
    const atBottom = isNearBottom();

    let node;
    if (item) {
      // The echo of one of ours: the pending bubble becomes the delivered message, in server order.
      state.outbox.splice(state.outbox.indexOf(item), 1);
      clearTimeout(item.ackTimer);
      node = item.node;
      node.classList.remove('pending', 'failed');
      delete node.dataset.delivery;
      const extra = node.querySelector('.message-status');
      if (extra) extra.remove();
      fillMessage(node, m);
      insertDelivered(node);
    } else {
      node = buildMessage({ name: m.name, text: m.text, own });
      fillMessage(node, m);
      insertDelivered(node);
    }
    if (own) node.classList.add('own');
    afterInsert(atBottom || own, !own);
  }

  // ---- Rendering ----

  function hueOf(name) {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return h % 8;
  }

  function buildMessage(opts) {
    const name = typeof opts.name === 'string' && opts.name ? opts.name : 'unknown';
    const li = document.createElement('li');
    li.className = 'message hue-' + hueOf(name) + (opts.own ? ' own' : '');
    li.dataset.testid = 'message';

    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = (name.trim()[0] || '?').toUpperCase();

    const bubble = document.createElement('div');
    bubble.className = 'bubble';

    const head = document.createElement('div');
    head.className = 'message-head';
    const who = document.createElement('span');
    who.className = 'message-name';
    who.dataset.testid = 'message-name';
    who.textContent = name;
    const time = document.createElement('time');
    time.className = 'message-time';
    time.dataset.testid = 'message-time';
    head.append(who, ' ', time);

    const body = document.createElement('div');
    body.className = 'message-text';
    body.dataset.testid = 'message-text';
    body.textContent = opts.text;

    bubble.append(head, body);
    li.append(avatar, bubble);
    return li;
  }

  function setTime(node, date) {
    const time = node.querySelector('.message-time');
    if (isNaN(date.getTime())) date = new Date();
    time.dateTime = date.toISOString();
    time.textContent = formatClock(date);
    time.title = formatFull(date);
  }

  function fillMessage(node, m) {
    setTime(node, new Date(typeof m.ts === 'number' ? m.ts : Date.now()));
    if (m.id != null) node.dataset.id = String(m.id);
    if (typeof m.seq === 'number') node.dataset.seq = String(m.seq);
    if (typeof m.connectionId === 'string') node.dataset.connectionId = m.connectionId;
    if (typeof m.clientMsgId === 'string') node.dataset.clientMsgId = m.clientMsgId;
    const who = node.querySelector('.message-name');
    if (typeof m.name === 'string' && m.name) who.textContent = m.name;
  }

  // Delivered messages go above the ones still waiting for the server, which stay at the end.
  function insertDelivered(node) {
    const firstPending = el.list.querySelector(':scope > .pending');
    if (firstPending) el.list.insertBefore(node, firstPending);
    else el.list.append(node);
    el.empty.hidden = true;
  }

  function systemLine(text) {
    const atBottom = isNearBottom();
    const li = document.createElement('li');
    li.className = 'system-line';
    li.textContent = text;
    insertDelivered(li);
    afterInsert(atBottom, false);
  }

  function isNearBottom() {
    const s = el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    el.scroller.scrollTop = el.scroller.scrollHeight;
    state.stuck = true;
    state.unseenBelow = 0;
    el.jump.hidden = true;
  }

  function afterInsert(stick, countsAsNew) {
    if (stick) {
      scrollToBottom();
    } else if (countsAsNew) {
      state.unseenBelow += 1;
      el.jump.textContent = state.unseenBelow === 1 ? '1 new message ↓' : state.unseenBelow + ' new messages ↓';
      el.jump.hidden = false;
    }
    if (countsAsNew && document.hidden) {
      state.unread += 1;
      updateTitle();
    }
  }

  function updateTitle() {
    const base = state.joined ? '#' + state.room + ' · Parley' : 'Parley';
    document.title = state.unread > 0 ? '(' + state.unread + ') ' + base : base;
  }

  // ---- Outbox ----
  // Messages typed while disconnected are queued and sent, with the same clientMsgId, once the
  // socket is open again. A message already handed to a socket that then died is not resent
  // automatically (the server may have stored it; there is no dedup): it is marked "not
  // confirmed" with Retry and Discard buttons, and a late echo still confirms it.

  function submitMessage() {
    const text = cleanOutgoing(el.input.value);
    if (!text.trim()) return;
    if (text.length > MAX_MESSAGE) {
      notice('Messages can be at most ' + MAX_MESSAGE + ' characters.', 'error');
      return;
    }
    const cid = newClientMsgId();
    state.ownClientMsgIds.add(cid);
    const node = buildMessage({ name: state.name, text, own: true });
    node.classList.add('pending');
    node.dataset.clientMsgId = cid;
    setTime(node, new Date());
    const item = { cid, text, status: 'queued', node, ackTimer: 0 };
    state.outbox.push(item);
    el.list.append(node);
    el.empty.hidden = true;
    el.input.value = '';
    onInput();
    scrollToBottom();
    trySend(item);
    refreshOutboxLabel(item);
  }

  function trySend(item) {
    if (!sendFrame({ action: 'sendmessage', message: item.text, clientMsgId: item.cid })) {
      item.status = 'queued';
      return false;
    }
    item.status = 'sending';
    clearTimeout(item.ackTimer);
    item.ackTimer = setTimeout(() => {
      if (item.status === 'sending') markFailed(item, 'No confirmation from the server.');
    }, ACK_TIMEOUT_MS);
    return true;
  }

  function flushOutbox() {
    for (const item of state.outbox) {
      if (item.status === 'queued') trySend(item);
    }
    refreshOutboxLabels();
  }

  function failInFlight() {
    for (const item of state.outbox) {
      if (item.status === 'sending') markFailed(item, 'Connection lost before the server confirmed it.');
    }
  }

  function markFailed(item, why) {
    clearTimeout(item.ackTimer);
    item.status = 'failed';
    item.why = why;
    refreshOutboxLabel(item);
  }

  function refreshOutboxLabels() {
    for (const item of state.outbox) refreshOutboxLabel(item);
  }

  function refreshOutboxLabel(item) {
    const node = item.node;
    const key = item.status + ':' + (item.why || '');
    let box = node.querySelector('.message-status');
    if (box && box.dataset.key === key) return; // unchanged: keep focus on its buttons
    node.dataset.delivery = item.status;
    node.classList.toggle('failed', item.status === 'failed');
    if (!box) {
      box = document.createElement('div');
      box.className = 'message-status';
      box.dataset.testid = 'message-status';
      node.querySelector('.bubble').append(box);
    }
    box.dataset.key = key;
    box.textContent = '';
    if (item.status === 'sending') {
      box.textContent = 'Sending…';
    } else if (item.status === 'queued') {
      box.textContent = 'Queued · sends when reconnected';
    } else {
      const span = document.createElement('span');
      span.textContent = (item.why || 'Not confirmed.') + ' ';
      const retry = smallButton('Retry', () => {
        item.status = 'queued';
        if (state.conn === 'online') trySend(item);
        refreshOutboxLabel(item);
      });
      const discard = smallButton('Discard', () => {
        const hadFocus = node.contains(document.activeElement);
        state.outbox.splice(state.outbox.indexOf(item), 1);
        node.remove();
        el.empty.hidden = el.list.children.length > 0;
        if (hadFocus) el.input.focus();
      });
      retry.dataset.testid = 'message-retry';
      discard.dataset.testid = 'message-discard';
      box.append(span, retry, ' ', discard);
    }
  }

  function smallButton(label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link-button';
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  // ---- Composer ----

  function onInput() {
    const len = el.input.value.length;
    el.send.disabled = el.input.value.trim().length === 0;
    if (len >= COUNTER_FROM) {
      el.counter.hidden = false;
      el.counter.textContent = len + ' / ' + MAX_MESSAGE;
      el.counter.classList.toggle('counter-full', len >= MAX_MESSAGE);
    } else {
      el.counter.hidden = true;
    }
    autoGrow();
  }

  const fieldSizing = typeof CSS !== 'undefined' && CSS.supports && CSS.supports('field-sizing', 'content');
  function autoGrow() {
    if (fieldSizing) return; // the stylesheet sizes the textarea
    el.input.style.height = 'auto'; // CSSOM, allowed by the CSP (unlike a style attribute)
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 200) + 'px';
  }

  // ---- Join / leave ----

  function showFieldError(input, box, message) {
    box.textContent = message || '';
    box.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function join() {
    const n = validateName(el.nameInput.value);
    const r = validateRoom(el.roomInput.value);
    showFieldError(el.nameInput, el.nameError, n.ok ? '' : n.error);
    showFieldError(el.roomInput, el.roomError, r.ok ? '' : r.error);
    if (!n.ok) {
      el.nameInput.focus();
      return;
    }
    if (!r.ok) {
      el.roomInput.focus();
      return;
    }
    if (!endpoint.ok) {
      notice(endpoint.error);
      return;
    }
    el.nameInput.value = n.name;
    saveName(n.name);
    state.name = n.name;
    state.room = r.room;
    state.joined = true;
    state.attempt = 0;
    state.lastSeq = 0;
    state.unread = 0;

    const u = new URL(window.location.href);
    u.searchParams.set('room', r.room);
    try { window.history.replaceState(null, '', u.href); } catch (e) { /* file:// and friends */ }

    el.roomName.textContent = r.room;
    el.selfName.textContent = n.name;
    el.roomInfo.hidden = false;
    el.app.classList.add('is-joined');
    el.leave.hidden = false;
    el.input.placeholder = 'Message #' + r.room;
    el.joinView.hidden = true;
    el.chatView.hidden = false;
    updateTitle();
    onInput();
    el.input.focus();
    connect();
  }

  function leave() {
    state.joined = false;
    closeSocket();
    for (const item of state.outbox) clearTimeout(item.ackTimer);
    state.outbox = [];
    state.seenIds.clear();
    state.unread = 0;
    el.list.textContent = '';
    el.empty.hidden = false;
    el.jump.hidden = true;
    el.notices.textContent = '';
    el.roomInfo.hidden = true;
    el.app.classList.remove('is-joined');
    el.leave.hidden = true;
    el.chatView.hidden = true;
    el.joinView.hidden = false;
    delete el.status.dataset.connectionId;
    setStatus('idle');
    updateTitle();
    el.nameInput.focus();
  }

  // ---- Wiring ----

  el.joinForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    join();
  });
  el.nameInput.addEventListener('input', () => {
    if (!el.nameError.hidden) {
      const n = validateName(el.nameInput.value);
      showFieldError(el.nameInput, el.nameError, n.ok ? '' : n.error);
    }
  });
  el.roomInput.addEventListener('input', () => {
    if (!el.roomError.hidden) {
      const r = validateRoom(el.roomInput.value);
      showFieldError(el.roomInput, el.roomError, r.ok ? '' : r.error);
    }
  });

  el.composer.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitMessage();
    el.input.focus();
  });
  el.input.addEventListener('input', onInput);
  el.input.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.isComposing || ev.keyCode === 229) return; // an IME is choosing a character
    ev.preventDefault();
    submitMessage();
  });

  el.retry.addEventListener('click', () => {
    clearRetry();
    if (state.ws) return;
    connect();
  });
  el.leave.addEventListener('click', leave);

  // Keep the newest message in view when the viewport shrinks (phone keyboard, header wrap).
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      if (state.stuck) el.scroller.scrollTop = el.scroller.scrollHeight;
    }).observe(el.scroller);
  }
  el.scroller.addEventListener('scroll', () => {
    state.stuck = isNearBottom();
    if (!el.jump.hidden && state.stuck) {
      state.unseenBelow = 0;
      el.jump.hidden = true;
    }
  }, { passive: true });
  el.jump.addEventListener('click', () => {
    scrollToBottom();
    el.input.focus();
  });

  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    const last = el.notices.lastElementChild;
    if (last) dismissNotice(last);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      state.unread = 0;
      updateTitle();
      // Back from the background: no need to sit out the rest of a long backoff.
      if (state.joined && state.conn === 'reconnecting' && !state.ws) connect();
    }
  });
  window.addEventListener('online', () => {
    if (state.joined && !state.ws && state.conn !== 'online') connect();
  });
  window.addEventListener('offline', () => {
    if (!state.joined) return;
    if (state.ws) dropSocket('the device went offline');
    else {
      clearRetry();
      setStatus('offline', 'This device is offline; reconnecting when the network returns.');
    }
  });

  // ---- Start ----

  const pageParams = new URLSearchParams(window.location.search);
  el.nameInput.value = loadName();
  const roomParam = pageParams.get('room');
  if (roomParam) el.roomInput.value = roomParam;
  if (!endpoint.ok) notice(endpoint.error);
  setStatus('idle');
  el.nameInput.focus();
})();
