/*
 * The client's pure protocol helpers: validation, endpoint and socket URL, frame classification,
 * direct-message keys, formatting. No DOM: unit tested under Node (test/web, test/integration).
 */

import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, DEFAULT_ROOM, DEFAULT_STAGE, NAME_RE, ROOM_RE } from './config.js';

// ---- Pure helpers (no DOM: imported by the Node tests) ------------------------------------

/** Validates a display name as the server's $connect does; trims surrounding spaces. */
export function validateName(raw) {
  const name = String(raw == null ? '' : raw).trim();
  if (name.length === 0) return { ok: false, name, error: 'Enter a display name.' };
  if (name.length > 32) return { ok: false, name, error: 'Use at most 32 characters.' };
  if (!NAME_RE.test(name)) {
    return { ok: false, name, error: 'Use only letters, digits, spaces, _ - and .' };
  }
  return { ok: true, name };
}

/** Validates a room name (1–64 of letters, digits, _ - .); empty means the default room. */
export function validateRoom(raw) {
  const room = String(raw == null ? '' : raw).trim().replace(/^#/, '');
  if (room.length === 0) return { ok: true, room: DEFAULT_ROOM };
  if (room.length > 64) return { ok: false, room, error: 'Use at most 64 characters.' };
  if (!ROOM_RE.test(room)) {
    return { ok: false, room, error: 'Use only letters, digits, _ - and . (no spaces).' };
  }
  return { ok: true, room };
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, "equal jitter". */
export function backoffDelay(attempt, random) {
  const rnd = typeof random === 'function' ? random : Math.random;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, Math.max(0, attempt)));
  return Math.round(ceiling / 2 + rnd() * (ceiling / 2));
}

export function encodeQuery(pairs) {
  return pairs.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
}

/**
 * Where to connect. `page` is the page's location ({protocol, host, search}); `metaStage` the
 * <meta name="parley-stage"> content. ?ws=<url> wins, then ?stage=, then the meta, then "dev".
 * Returns {ok, base} or {ok:false, error}; `base` has no name/room yet.
 */
export function resolveEndpoint(page, metaStage) {
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
    if (params.get('token') && !u.searchParams.has('token')) u.searchParams.set('token', params.get('token'));
    return { ok: true, base: u.href };
  }
  const stage = (params.get('stage') || metaStage || DEFAULT_STAGE).trim().replace(/^\/+|\/+$/g, '');
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const path = stage.split('/').map(encodeURIComponent).join('/');
  // A server with --auth jwt wants a token; the page passes on its own ?token= (docs/security.md).
  const token = params.get('token');
  const query = token ? '?token=' + encodeURIComponent(token) : '';
  return { ok: true, base: scheme + '//' + page.host + '/' + path + query };
}

/**
 * The socket URL: the endpoint with ?name=&room= set (other query parameters kept), and the
 * guest token (identity.js) unless the endpoint carries a ?token=.
 */
export function socketUrl(base, name, room, guest) {
  const u = new URL(base);
  const kept = [];
  u.searchParams.forEach((v, k) => {
    if (k !== 'name' && k !== 'room' && k !== 'guest') kept.push([k, v]);
  });
  kept.push(['name', name], ['room', room]);
  if (guest && !u.searchParams.has('token')) kept.push(['guest', guest]);
  // encodeURIComponent (%20 for a space) rather than URLSearchParams' "+".
  u.search = '?' + encodeQuery(kept);
  return u.href;
}

export function pad2(n) {
  return n < 10 ? '0' + n : String(n);
}

/** Local wall-clock time as HH:MM (24 h). */
export function formatClock(date) {
  return pad2(date.getHours()) + ':' + pad2(date.getMinutes());
}

/** Full local date and time for a title attribute. */
export function formatFull(date) {
  try {
    return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });
  } catch (e) {
    return date.toString();
  }
}

/** A client message id (≤ 64 chars, the server's limit), unique enough to match echoes. */
export function newClientMsgId() {
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
export function classifyFrame(text) {
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
export function cleanOutgoing(text) {
  return String(text).replace(/\s+$/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
}

/** Whether a room key names a direct-message pair. */
export function isDmKey(key) {
  return typeof key === 'string' && key.startsWith('dmu:');
}

export function dmKeyPart(id) {
  return String(id).replace(/%/g, '%25').replace(/:/g, '%3A');
}

/**
 * The room of a direct-message pair: "dmu:<a>:<b>", the two user ids (':' and '%' escaped)
 * sorted by code unit (protocol.md). A name instead of an id gives a guess the server's key
 * corrects (rekeyDm).
 */
export function dmKey(a, b) {
  const x = dmKeyPart(a), y = dmKeyPart(b);
  return 'dmu:' + (y < x ? y + ':' + x : x + ':' + y);
}

/** The other party's user id in a dm room key, seen from user id `me`. */
export function dmPeer(key, me) {
  if (!isDmKey(key)) return '';
  const parts = key.slice(4).split(':').map((p) => p.replace(/%3A/g, ':').replace(/%25/g, '%'));
  if (parts.length !== 2) return '';
  if (parts[0] === me) return parts[1];
  if (parts[1] === me) return parts[0];
  return parts[1];
}
