/*
 * Parley browser client. Speaks docs/protocol.md: JSON frames over one WebSocket, actions
 * `hello`, `sendmessage`, `join`, `leave`, `history`, `who`, `dm`, `ping`; events `welcome`,
 * `message`, `dm`, `ack`, `history`, `joined`, `left`, `name`, `presence`, `members`, `pong`,
 * `error`, plus the gateway's type-less frames ({"message":"Forbidden",...}).
 *
 * Every conversation (a room, or a direct-message pair `dmu:<a>:<b>` of user ids) keeps the highest seq it
 * shows and applies the *Ordering and catch-up* rules of protocol.md (see Sequencer below), so a
 * message is shown exactly once and in order, also across reconnects.
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
  // The guest token an anonymous server issued (welcome.guestToken): presented on every connect
  // (?guest=) so that a reload or a new visit is the same person, with the same direct messages.
  const GUEST_KEY = 'parley.guest';
  const SESSION_KEY = 'parley.session'; // sessionStorage: the tab's rooms survive a reload
  const GAP_WAIT_MS = 1000;            // a gap not filled by then is fetched with history/after
  const FORWARD_RETRY_MS = 5000;       // a forward history request unanswered this long is resent
  const PAGE_SIZE = 50;                // older pages
  const CATCHUP_LIMIT = 100;           // history/after (the server's maximum)
  const REJOIN_EVERY_MS = 10000;       // not_member on a room we think we are in: rejoin, at most this often

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

  /** The socket URL: the endpoint with ?name=&room= set (other query parameters kept). */
  function socketUrl(base, name, room) {
    const u = new URL(base);
    const kept = [];
    u.searchParams.forEach((v, k) => {
      if (k !== 'name' && k !== 'room' && k !== 'guest') kept.push([k, v]);
    });
    kept.push(['name', name], ['room', room]);
    const guest = loadGuest();
    if (guest && !u.searchParams.has('token')) kept.push(['guest', guest]);
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

  /** Whether a room key names a direct-message pair. */
  function isDmKey(key) {
    return typeof key === 'string' && key.startsWith('dmu:');
  }

  function dmKeyPart(id) {
    return String(id).replace(/%/g, '%25').replace(/:/g, '%3A');
  }

  /**
   * The room of a direct-message pair: "dmu:<a>:<b>", the two user ids (':' and '%' escaped)
   * sorted by code unit (protocol.md). A name instead of an id gives a guess the server's key
   * corrects (rekeyDm).
   */
  function dmKey(a, b) {
    const x = dmKeyPart(a), y = dmKeyPart(b);
    return 'dmu:' + (y < x ? y + ':' + x : x + ':' + y);
  }

  /** The other party's user id in a dm room key, seen from user id `me`. */
  function dmPeer(key, me) {
    if (!isDmKey(key)) return '';
    const parts = key.slice(4).split(':').map((p) => p.replace(/%3A/g, ':').replace(/%25/g, '%'));
    if (parts.length !== 2) return '';
    if (parts[0] === me) return parts[1];
    if (parts[1] === me) return parts[0];
    return parts[1];
  }

  /**
   * The ordering rules of protocol.md for one conversation. `last` is the highest seq shown;
   * messages past a gap are held until the gap is filled. live() and history() return the
   * messages to show now, in order, each exactly once. The first history page a conversation
   * gets (the newest messages) is its starting point; after that, history pages are applied
   * like live messages (rule 1 for contiguous pages, rule 4 if a page does not join up).
   */
  class Sequencer {
    constructor() {
      this.last = 0;          // highest seq shown
      this.known = 0;         // highest seq known to exist (messages, acks, lastSeq)
      this.started = false;   // a first history page has been applied
      this.held = new Map();  // seq -> message, waiting for the gap before it
    }

    /** Rules 2–4: a live message. */
    live(m) {
      if (!m || typeof m.seq !== 'number' || m.seq <= this.last) return [];
      this.note(m.seq);
      this.held.set(m.seq, m);
      return this.started ? this.drain() : [];
    }

    /**
     * Rule 1: a forward history page (oldest first), with the room's lastSeq when read and its
     * hasMore. A page holds every message stored from where it starts (at or below `last`) up
     * to its highest seq: a seq it passes without a message stays empty for good (DynamoDB
     * seals it), so `last` moves to the page's highest seq whatever it skipped. Seqs above
     * that up to lastSeq were not stored when it was read: in flight (they come live) or
     * failed (the next message's gap rule passes them) — not a reason to ask again, unless the
     * page was cut by its limit.
     */
    history(messages, lastSeq, hasMore) {
      const list = (messages || []).filter((m) => m && typeof m.seq === 'number')
        .sort((a, b) => a.seq - b.seq);
      if (!this.started) {
        this.started = true;
        if (list.length && list[0].seq - 1 > this.last) this.last = list[0].seq - 1;
      }
      for (const m of list) {
        if (m.seq > this.last) this.held.set(m.seq, m);
      }
      const out = [];
      const top = list.length ? list[list.length - 1].seq : this.last;
      if (top > this.last) {
        for (const seq of [...this.held.keys()].filter((k) => k <= top).sort((a, b) => a - b)) {
          if (seq > this.last) out.push(this.held.get(seq));
          this.held.delete(seq);
        }
        this.last = top;
      }
      out.push(...this.drain());
      if (typeof lastSeq === 'number') {
        const cut = hasMore === true && top < lastSeq;
        if (cut) this.note(lastSeq);
        else if (this.known <= lastSeq) this.known = this.last;
      }
      return out;
    }

    /** A seq that exists (an ack, joined.lastSeq): if it is not shown yet, that is a gap. */
    note(seq) {
      if (typeof seq === 'number' && seq > this.known) this.known = seq;
    }

    drain() {
      const out = [];
      for (const seq of [...this.held.keys()]) {
        if (seq <= this.last) this.held.delete(seq);
      }
      while (this.held.has(this.last + 1)) {
        const m = this.held.get(this.last + 1);
        this.held.delete(this.last + 1);
        this.last += 1;
        out.push(m);
      }
      return out;
    }

    /** Messages are missing: held ones wait for a gap, or a known seq is not shown. */
    get gap() {
      return this.held.size > 0 || this.known > this.last;
    }
  }

  const helpers = {
    MAX_MESSAGE, BACKOFF_BASE_MS, BACKOFF_MAX_MS, PING_EVERY_MS, GAP_WAIT_MS,
    validateName, validateRoom, backoffDelay, resolveEndpoint, socketUrl,
    formatClock, formatFull, newClientMsgId, classifyFrame, cleanOutgoing,
    isDmKey, dmKey, dmPeer, Sequencer,
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
    roomInfo: $('room-info'), roomHash: $('room-hash'), roomName: $('room-name'), selfName: $('self-name'),
    notices: $('notices'),
    joinView: $('join-view'), joinForm: $('join-form'),
    nameInput: $('name-input'), nameError: $('name-error'),
    roomInput: $('room-input'), roomError: $('room-error'),
    workspace: $('workspace'),
    sidebar: $('sidebar'), roomList: $('room-list'), dmList: $('dm-list'), dmEmpty: $('dm-empty'),
    joinRoomForm: $('join-room-form'), joinRoomInput: $('join-room-input'), joinRoomError: $('join-room-error'),
    membersPanel: $('members-panel'), members: $('members'), membersCount: $('members-count'),
    membersTitle: $('members-title'), membersNote: $('members-note'),
    roomsToggle: $('rooms-toggle'), roomsToggleBadge: $('rooms-toggle-badge'), membersToggle: $('members-toggle'),
    backdrop: $('backdrop'),
    chatView: $('chat-view'), scroller: $('scroller'), empty: $('empty-state'),
    historyMore: $('history-more'), historyStart: $('history-start'), announcer: $('announcer'),
    drawerCloses: document.querySelectorAll('.drawer-close'),
    jump: $('jump-button'),
    composer: $('composer'), input: $('message-input'), send: $('send-button'), counter: $('counter'),
  };

  const meta = document.querySelector('meta[name="parley-stage"]');
  const endpoint = resolveEndpoint(window.location, meta ? meta.getAttribute('content') : '');

  const state = {
    joined: false,
    name: '',                // the name asked for (the server may show another in a room)
    home: DEFAULT_ROOM,      // the room in the socket URL
    ws: null,
    conn: 'idle',            // idle | connecting | online | reconnecting | offline
    welcomed: false,         // this socket got its welcome
    attempt: 0,
    retryTimer: 0, countdownTimer: 0, retryAt: 0,
    stableTimer: 0, pingTimer: 0, pongTimer: 0,
    connectionId: null,
    userId: '',              // ours (welcome): a guest id or a signed-in user's sub
    ownConnectionIds: new Set(), // every id this page had: echoes across reconnects stay "own"
    ownClientMsgIds: new Set(),
    // {cid, conv, text, status: queued|sending|stored|failed, why, node, ackTimer, seq}
    outbox: [],
    convs: new Map(),        // room key -> conversation (see makeConv), rooms and dms
    current: '',             // key of the conversation on screen
    // Requests whose answer names no request: matched in order per action (the server answers
    // a connection's frames in order). history: {room, kind: newest|after|before, at, viaJoin}.
    pending: { history: [], join: [], who: [], leave: [] },
    unsupported: new Set(),  // actions the server answered unknown_action to
    unseenBelow: 0,          // messages added below the viewport while scrolled up
    stuck: true,             // the view follows the newest message
    closedNotice: null,      // the "disconnected by the server" notice, gone once back online
    drawer: '',              // '' | 'sidebar' | 'members' (phone and tablet widths)
    listsDirty: false,
    announceQueue: [],
    announceTimer: 0,
  };

  // ---- Storage (may throw: private mode, disabled cookies) ----

  function loadName() {
    try {
      return window.localStorage.getItem(NAME_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function loadGuest() {
    try {
      return window.localStorage.getItem(GUEST_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function saveGuest(token) {
    try {
      if (token) window.localStorage.setItem(GUEST_KEY, token);
      else window.localStorage.removeItem(GUEST_KEY);
    } catch (e) { /* a new guest next time; harmless */ }
  }

  function saveName(name) {
    try {
      window.localStorage.setItem(NAME_KEY, name);
    } catch (e) { /* not remembered; harmless */ }
  }

  // The tab's session (name, rooms, dms, current) survives a reload, like a signed-in chat.
  function loadSession() {
    try {
      const s = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || 'null');
      if (!s || typeof s !== 'object' || !validateName(s.name).ok) return null;
      return s;
    } catch (e) {
      return null;
    }
  }

  function saveSession() {
    if (!state.joined) return;
    const rooms = [];
    const dms = [];
    for (const c of state.convs.values()) {
      if (c.kind === 'room') rooms.push(c.key);
      else dms.push({ key: c.key, peer: c.peer, peerId: c.peerId });
    }
    try {
      window.sessionStorage.setItem(SESSION_KEY, JSON.stringify({
        name: state.name, home: state.home, rooms, dms, current: state.current,
      }));
    } catch (e) { /* not kept across reloads; harmless */ }
  }

  function clearSession() {
    try {
      window.sessionStorage.removeItem(SESSION_KEY);
    } catch (e) { /* ignore */ }
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

  // ---- Conversations ----
  // One per room the user is in and per direct-message pair. Each has its own message list
  // (only the current one is in the document) and its own Sequencer.

  function makeConv(key, kind, peer) {
    const list = document.createElement('ol');
    list.className = 'messages';
    list.dataset.testid = 'messages';
    return {
      key,
      kind,                  // 'room' | 'dm'
      peer: peer || '',      // dm: the other party's name
      peerId: '',            // dm: the other party's user id (who the dm goes to), when known
      seq: new Sequencer(),
      list,
      seen: new Set(),       // message ids shown (a second guard besides seq)
      oldest: null,          // lowest seq shown
      exhausted: false,      // an older page said there is nothing before it
      olderLoading: false,
      ready: false,          // this socket is in the room (welcome/joined) or, for a dm, welcomed
      myName: '',            // the name the server shows for us in this room
      members: null,         // Map connectionId -> {name, joinedAt, userId}, from who + presence
      unread: 0,
      stuck: true, scrollTop: 0,
      draft: '',
      gapTimer: 0,
      rejoinAt: 0,
      liveFrom: null,        // lowest seq that arrived live before the first history page
    };
  }

  function cur() {
    return state.convs.get(state.current) || null;
  }

  function convLabel(conv) {
    return (conv.kind === 'dm' ? '@' : '#') + (conv.kind === 'dm' ? conv.peer : conv.key);
  }

  function roomConvs() {
    return [...state.convs.values()].filter((c) => c.kind === 'room');
  }

  function dmConvs() {
    return [...state.convs.values()].filter((c) => c.kind === 'dm');
  }

  /** The conversations in sidebar order: rooms, then direct messages. */
  function orderedConvs() {
    return roomConvs().concat(dmConvs());
  }

  function addRoom(key) {
    let conv = state.convs.get(key);
    if (!conv) {
      conv = makeConv(key, 'room');
      state.convs.set(key, conv);
      markListsDirty();
    }
    return conv;
  }

  // The dm conversation with a person: by user id when known; by name only among those
  // opened on a guess (no user id yet), since two people may show the same name.
  function findDmByPeer(peer, peerId) {
    if (peerId) {
      const exact = dmConvs().find((c) => c.peerId === peerId);
      if (exact) return exact;
    }
    const lower = String(peer).toLowerCase();
    return dmConvs().find((c) => !c.peerId && c.peer.toLowerCase() === lower) || null;
  }

  /** The user id of the member called `name` in the current room (or any room), if known. */
  function userIdOf(name) {
    const lower = String(name).toLowerCase();
    const rooms = [cur()].concat(roomConvs());
    for (const conv of rooms) {
      if (!conv || !conv.members) continue;
      for (const m of conv.members.values()) {
        if (m.userId && m.name.toLowerCase() === lower) return m.userId;
      }
    }
    return '';
  }

  function addDm(key, peer) {
    let conv = state.convs.get(key);
    if (!conv) {
      conv = makeConv(key, 'dm', peer || dmPeer(key, state.name));
      conv.ready = state.welcomed;
      state.convs.set(key, conv);
      markListsDirty();
    }
    return conv;
  }

  // The server names a dm pair's room; ours may have been a guess (the names the server pairs
  // can differ from what a member list shows). A conversation that showed nothing yet moves to
  // the server's key; one that did is another pair, so the server's key gets its own.
  function rekeyDm(conv, key) {
    if (conv.key === key) return conv;
    const oldKey = conv.key;
    const movable = conv.seq.last === 0 && conv.list.querySelector(':scope > .message:not(.pending)') === null;
    if (movable && !state.convs.has(key)) {
      state.convs.delete(oldKey);
      conv.key = key;
      conv.seq = new Sequencer();
      conv.oldest = null;
      conv.exhausted = false;
      state.convs.set(key, conv);
      for (const item of state.outbox) {
        if (item.conv === oldKey) item.conv = key;
      }
      if (state.current === oldKey) state.current = key;
      requestForward(conv);
      markListsDirty();
      saveSession();
      return conv;
    }
    const target = state.convs.get(key) || addDm(key, conv.peer);
    for (const item of state.outbox) {
      if (item.conv === oldKey) {
        item.conv = key;
        target.list.append(item.node);
      }
    }
    if (!target.seq.started) requestForward(target);
    if (movable) {
      removeConv(conv);
      if (state.current === oldKey) switchTo(key);
    }
    markListsDirty();
    saveSession();
    return target;
  }

  function removeConv(conv) {
    clearTimeout(conv.gapTimer);
    state.convs.delete(conv.key);
    state.outbox = state.outbox.filter((item) => {
      if (item.conv !== conv.key) return true;
      clearTimeout(item.ackTimer);
      return false;
    });
    markListsDirty();
  }

  function hasOlder(conv) {
    return conv.seq.started && !conv.exhausted && conv.oldest != null && conv.oldest > 1;
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
      ws = new WebSocket(socketUrl(endpoint.base, state.name, state.home));
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

  function expect(action, entry) {
    entry.at = Date.now();
    state.pending[action].push(entry);
  }

  /** The oldest outstanding request of `action` (for `room`, when given), removed. */
  function settle(action, room) {
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
  function dropSocket(reason) {
    const ws = state.ws;
    if (!ws) return;
    try { ws.close(4000, 'client gave up'); } catch (e) { /* already closing */ }
    onClose(1006, reason);
  }

  // Whatever this socket was doing is void: requests in flight get no answer, and each
  // conversation is caught up again on the next welcome/joined.
  function resetSocketState() {
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

  // ---- Requests ----

  function sendJoin(conv) {
    const frame = { action: 'join', room: conv.key };
    if (conv.seq.started) frame.since = conv.seq.last;
    if (!sendFrame(frame)) return;
    expect('join', { room: conv.key });
    expect('history', { room: conv.key, kind: conv.seq.started ? 'after' : 'newest', viaJoin: true });
  }

  function sendWho(conv) {
    if (conv.kind !== 'room' || !conv.ready || state.unsupported.has('who')) return;
    if (sendFrame({ action: 'who', room: conv.key })) expect('who', { room: conv.key });
  }

  /** Asks for what follows `last` (or the newest page, for a conversation not loaded yet). */
  function requestForward(conv) {
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

  function requestOlder(conv) {
    if (!conv || conv.olderLoading || !conv.ready || !hasOlder(conv)) return;
    if (!sendFrame({ action: 'history', room: conv.key, before: conv.oldest, limit: PAGE_SIZE })) return;
    expect('history', { room: conv.key, kind: 'before' });
    conv.olderLoading = true;
    if (conv === cur()) updateHistoryTop();
  }

  // Rule 4: a gap (held messages, or a known seq not shown) not filled within GAP_WAIT_MS is
  // fetched with history/after; checked again until it is closed.
  function checkGap(conv) {
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
  function tryRejoin(conv) {
    if (!conv || conv.kind !== 'room' || !state.welcomed) return false;
    if (Date.now() - conv.rejoinAt < REJOIN_EVERY_MS) return false;
    conv.rejoinAt = Date.now();
    conv.ready = false;
    sendJoin(conv);
    return true;
  }

  // ---- Incoming frames ----

  function onFrame(raw) {
    if (typeof raw !== 'string') return;
    const f = classifyFrame(raw);
    const d = f.data;
    switch (f.kind) {
      case 'welcome': onWelcome(d); break;
      case 'message':
      case 'dm': onLive(d, f.kind); break;
      case 'ack': onAck(d); break;
      case 'history': onHistory(d); break;
      case 'joined': onJoined(d); break;
      case 'left': onLeft(d); break;
      case 'name': onName(d); break;
      case 'presence': onPresence(d); break;
      case 'members': onMembers(d); break;
      case 'pong':
        clearTimeout(state.pongTimer);
        state.pongTimer = 0;
        break;
      case 'error': onErrorEvent(d); break;
      case 'gateway':
        notice('Server: ' + d.message, 'warn');
        break;
      default:
        // Unknown event types are ignored for forward compatibility.
        break;
    }
    flushLists();
  }

  function onWelcome(d) {
    if (typeof d.userId === 'string') {
      state.userId = d.userId;
      el.status.dataset.userId = d.userId;
    }
    if (typeof d.guestToken === 'string' && d.guestToken) saveGuest(d.guestToken);
    if (typeof d.connectionId === 'string') {
      state.connectionId = d.connectionId;
      state.ownConnectionIds.add(d.connectionId);
      el.status.dataset.connectionId = d.connectionId;
    }
    state.welcomed = true;
    const rooms = Array.isArray(d.rooms) ? d.rooms.filter((r) => typeof r === 'string')
      : (typeof d.room === 'string' ? [d.room] : [state.home]);
    if (!Array.isArray(d.rooms)) {
      // A server before history/acks: it sends no history, so there is nothing to wait for.
      const home = addRoom(state.home);
      home.seq.started = true;
    }
    for (const r of rooms) {
      const conv = addRoom(r);
      conv.ready = true;
      if (r === rooms[0] && typeof d.name === 'string' && d.name) conv.myName = d.name;
    }
    for (const conv of state.convs.values()) {
      if (conv.kind === 'dm') {
        conv.ready = true;
        requestForward(conv);
      } else if (!rooms.includes(conv.key)) {
        sendJoin(conv);
      } else {
        sendWho(conv);
        checkGap(conv);
      }
    }
    if (!cur()) switchTo(state.home);
    updateHeader();
    flushOutbox();
  }

  function onJoined(d) {
    if (typeof d.room !== 'string') return;
    settle('join', d.room);
    const conv = state.convs.get(d.room);
    if (!conv || conv.kind !== 'room') return; // left meanwhile; our leave follows
    conv.ready = true;
    if (typeof d.name === 'string' && d.name) conv.myName = d.name;
    conv.seq.note(d.lastSeq);
    if (conv === cur()) updateHeader();
    sendWho(conv);
    checkGap(conv);
    flushOutbox(conv.key);
  }

  function onLeft(d) {
    if (typeof d.room !== 'string') return;
    settle('leave', d.room);
    const conv = state.convs.get(d.room);
    if (conv && conv.kind === 'room') dropRoom(conv);
  }

  function onName(d) {
    if (typeof d.name === 'string' && d.name) state.name = d.name;
    if (d.rooms && typeof d.rooms === 'object') {
      for (const [room, shown] of Object.entries(d.rooms)) {
        const conv = state.convs.get(room);
        if (conv && typeof shown === 'string') conv.myName = shown;
      }
    }
    updateHeader();
    saveSession();
  }

  function onMembers(d) {
    if (typeof d.room !== 'string' || !Array.isArray(d.members)) return;
    settle('who', d.room);
    const conv = state.convs.get(d.room);
    if (!conv) return;
    conv.members = new Map();
    // A large room (over 1,000 members) lists its earliest arrivals and sends no presence events.
    conv.memberCount = Number.isInteger(d.count) && d.count >= d.members.length ? d.count : null;
    for (const m of d.members) {
      if (m && typeof m.name === 'string' && typeof m.connectionId === 'string') {
        conv.members.set(m.connectionId, { name: m.name, joinedAt: m.joinedAt, userId: m.userId || '' });
        if (m.connectionId === state.connectionId && conv.myName !== m.name) {
          conv.myName = m.name;
          if (conv === cur()) updateHeader();
        }
      }
    }
    if (conv === cur()) renderMembers();
    markListsDirty(); // dm presence dots
  }

  function onPresence(d) {
    const conv = typeof d.room === 'string' ? state.convs.get(d.room) : null;
    if (!conv || typeof d.name !== 'string') return;
    const id = typeof d.connectionId === 'string' ? d.connectionId : '';
    if (id && id === state.connectionId) return;
    let line = '';
    if (d.event === 'join') {
      if (conv.members) conv.members.set(id, { name: d.name, joinedAt: Date.now(), userId: d.userId || '' });
      line = d.name + ' joined';
    } else if (d.event === 'leave') {
      if (conv.members) conv.members.delete(id);
      line = d.name + ' left';
    } else if (d.event === 'rename') {
      if (conv.members) {
        const m = conv.members.get(id);
        if (m) m.name = d.name;
        else conv.members.set(id, { name: d.name, joinedAt: Date.now(), userId: d.userId || '' });
      }
      // A dm conversation stays with the person: the pair's history is keyed by user ids.
      line = (typeof d.oldName === 'string' ? d.oldName : 'Someone') + ' is now ' + d.name;
    } else {
      return;
    }
    systemLine(conv, line);
    if (conv === cur()) renderMembers();
    markListsDirty();
  }

  function validMessage(m) {
    return m && typeof m === 'object' && typeof m.text === 'string';
  }

  function onLive(m, type) {
    if (!validMessage(m)) return;
    const key = typeof m.room === 'string' && m.room ? m.room : state.home;
    let conv = state.convs.get(key);
    if (!conv && (type === 'dm' || isDmKey(key))) conv = dmConvFor(m, key);
    if (!conv) return; // a room we left
    if (typeof m.seq !== 'number') {
      // No seq (an older server): show it once, by id.
      render(conv, m, { live: true });
      return;
    }
    for (const x of conv.seq.live(m)) render(conv, x, { live: true });
    if (!conv.seq.started) {
      if (conv.liveFrom == null || m.seq < conv.liveFrom) conv.liveFrom = m.seq;
      requestForward(conv);
    }
    checkGap(conv);
    afterRender(conv);
  }

  // The conversation of a dm event we have no conversation for: one opened with a guessed key
  // for the same person (moved to the server's key), or a new one.
  function dmConvFor(m, key) {
    const own = state.ownConnectionIds.has(m.connectionId) ||
      (typeof m.clientMsgId === 'string' && state.ownClientMsgIds.has(m.clientMsgId));
    const peerId = dmPeer(key, state.userId);
    const peer = own ? (typeof m.to === 'string' ? m.to : peerId) : m.name;
    const existing = peer ? findDmByPeer(peer, peerId) : null;
    if (existing) {
      const conv = rekeyDm(existing, key);
      conv.peerId = peerId;
      return conv;
    }
    const conv = addDm(key, peer || peerId);
    conv.peerId = peerId;
    saveSession();
    return conv;
  }

  function onHistory(d) {
    if (typeof d.room !== 'string') return;
    const req = settle('history', d.room);
    const conv = state.convs.get(d.room);
    if (!conv) return;
    const msgs = Array.isArray(d.messages) ? d.messages.filter(validMessage) : [];
    let kind = req ? req.kind : '';
    if (!kind) {
      // Unasked (a server sending more than we asked for): tell by its content.
      const top = msgs.length ? msgs[msgs.length - 1].seq : null;
      kind = conv.olderLoading && top != null && conv.oldest != null && top < conv.oldest ? 'before'
        : (conv.seq.started ? 'after' : 'newest');
    }
    if (kind === 'before') {
      applyOlder(conv, msgs, d.hasMore === true);
      return;
    }
    if (conv.seq.started && typeof d.lastSeq === 'number' && d.lastSeq < conv.seq.last) {
      // The room has fewer messages than we have shown: the server's store was reset.
      resetConv(conv);
      notice(convLabel(conv) + ' was reset by the server; showing its messages again.', 'warn');
      requestForward(conv);
      return;
    }
    const wasStarted = conv.seq.started;
    // The first page is old news, except the live messages that came before it (a dm that
    // opened the conversation).
    for (const m of conv.seq.history(msgs, d.lastSeq, d.hasMore)) {
      render(conv, m, { live: wasStarted || (conv.liveFrom != null && m.seq >= conv.liveFrom) });
    }
    if (kind === 'after' && d.hasMore === true) requestForward(conv); // more than one page missed
    checkGap(conv);
    afterRender(conv);
    if (!wasStarted && conv === cur()) {
      scrollToBottom();
      maybeLoadOlder();
    }
  }

  function applyOlder(conv, msgs, hasMore) {
    conv.olderLoading = false;
    const older = msgs.filter((m) => typeof m.seq === 'number' && (conv.oldest == null || m.seq < conv.oldest) &&
      !(m.id != null && conv.seen.has(String(m.id)))).sort((a, b) => a.seq - b.seq);
    if (!hasMore || older.length === 0) conv.exhausted = true;
    if (older.length) {
      const frag = document.createDocumentFragment();
      for (const m of older) {
        if (m.id != null) conv.seen.add(String(m.id));
        const node = buildMessage({ name: m.name, text: m.text, own: isOwn(m, conv) });
        fillMessage(node, m);
        frag.append(node);
      }
      conv.oldest = older[0].seq;
      // Keep what is on screen where it is: the page grows above it.
      const s = el.scroller;
      const isCurrent = conv === cur();
      const fromBottom = s.scrollHeight - s.scrollTop;
      conv.list.prepend(frag);
      if (isCurrent) s.scrollTop = s.scrollHeight - fromBottom;
    }
    if (conv === cur()) {
      updateHistoryTop();
      updateEmpty();
      // A short page may leave the top still in view: keep going.
      requestAnimationFrame(maybeLoadOlder);
    }
  }

  function resetConv(conv) {
    conv.seq = new Sequencer();
    conv.seen.clear();
    conv.oldest = null;
    conv.exhausted = false;
    for (const node of [...conv.list.children]) {
      if (!node.classList.contains('pending')) node.remove();
    }
  }

  function onAck(d) {
    const cid = typeof d.clientMsgId === 'string' ? d.clientMsgId : '';
    const item = cid ? state.outbox.find((x) => x.cid === cid) : null;
    if (!item) return; // its message was shown already
    clearTimeout(item.ackTimer);
    let conv = state.convs.get(item.conv);
    if (conv && conv.kind === 'dm' && typeof d.room === 'string' && d.room !== conv.key && isDmKey(d.room)) {
      conv = rekeyDm(conv, d.room);
    }
    item.status = 'stored';
    item.seq = typeof d.seq === 'number' ? d.seq : null;
    if (conv && item.seq != null) {
      if (item.seq <= conv.seq.last) {
        // Shown already without its clientMsgId (should not happen): do not show it twice.
        const shown = conv.list.querySelector('[data-seq="' + item.seq + '"]');
        if (shown && shown !== item.node) {
          state.outbox.splice(state.outbox.indexOf(item), 1);
          item.node.remove();
          updateEmpty();
          return;
        }
      }
      // Stored: its message follows (live, or through the gap rule if it got lost).
      conv.seq.note(item.seq);
      checkGap(conv);
    }
    refreshOutboxLabel(item);
  }

  function onErrorEvent(data) {
    const code = typeof data.code === 'string' ? data.code : 'error';
    const action = typeof data.action === 'string' ? data.action : '';
    const text = typeof data.message === 'string' && data.message ? data.message : 'Something went wrong.';
    const cid = typeof data.clientMsgId === 'string' ? data.clientMsgId : '';
    let item = cid ? state.outbox.find((m) => m.cid === cid) : null;
    if (!item && !cid && (action === 'sendmessage' || action === 'dm' || (!action && (code === 'too_long' || code === 'bad_request')))) {
      // No clientMsgId in the error: the server answers in order, so it is the oldest in flight.
      item = state.outbox.find((m) => m.status === 'sending') || null;
    }

    // Requests without a clientMsgId: the error answers the oldest one of that action.
    const req = state.pending[action] ? settle(action) : null;
    if (action === 'join' && req) {
      // its history will not come either
      const i = state.pending.history.findIndex((e) => e.room === req.room && e.viaJoin);
      if (i >= 0) state.pending.history.splice(i, 1);
    }
    const reqConv = req ? state.convs.get(req.room) : null;

    if (code === 'unknown_action' && action && action !== 'sendmessage') {
      if (!state.unsupported.has(action)) {
        state.unsupported.add(action);
        notice('This server does not support “' + action + '” yet.', 'warn');
      }
      if (action === 'history' && reqConv) {
        reqConv.seq.started = true;
        reqConv.exhausted = true;
        reqConv.olderLoading = false;
        if (reqConv === cur()) { updateHistoryTop(); updateEmpty(); }
      }
      if (item) markFailed(item, 'Not supported by the server.');
      return;
    }

    if (code === 'not_member') {
      if (item) {
        const conv = state.convs.get(item.conv);
        if (conv && tryRejoin(conv)) {
          item.status = 'queued';
          refreshOutboxLabel(item);
          return;
        }
        markFailed(item, 'You are not in ' + (conv ? convLabel(conv) : 'that room') + '.');
        notice(text + ' (' + code + ')', 'error');
        return;
      }
      if (action === 'leave') return; // out already
      if (reqConv && reqConv.kind === 'room' && (action === 'history' || action === 'who')) {
        if (req.kind === 'before') reqConv.olderLoading = false;
        tryRejoin(reqConv);
        return;
      }
      if (reqConv && reqConv.kind === 'dm' && action === 'history') {
        // No stored pair yet (or not under that key): an empty conversation.
        reqConv.olderLoading = false;
        if (!reqConv.seq.started) reqConv.seq.history([], 0);
        if (reqConv === cur()) { updateHistoryTop(); updateEmpty(); }
        return;
      }
    }

    if (action === 'history' && reqConv) {
      reqConv.olderLoading = false;
      if (reqConv === cur()) updateHistoryTop();
    }

    if (code === 'bad_room' && action === 'join') {
      const room = req ? req.room : '';
      const conv = room ? state.convs.get(room) : null;
      if (conv && !conv.seq.started) leaveConv(conv, { quiet: true });
      notice('Cannot join' + (room ? ' #' + room : '') + ': ' + text, 'error');
      return;
    }

    if (item) {
      const conv = state.convs.get(item.conv);
      const why = {
        too_long: 'Too long for the server.',
        unknown_recipient: (conv && conv.peer ? conv.peer : 'They') + ' cannot be reached: offline, or no room in common.',
        ambiguous_recipient: 'Several people are called ' + (conv && conv.peer ? conv.peer : 'that') +
          ': open the conversation from the member list.',
        internal: 'The server could not store it.',
        bad_request: 'Refused by the server.',
      }[code] || 'Refused by the server.';
      markFailed(item, why);
    }
    notice(text + ' (' + code + ')', code === 'unknown_recipient' ? 'warn' : 'error');
  }

  // ---- Rendering ----

  // Ours: from one of this page's connections, or one of its clientMsgIds, or (messages from
  // before a reload) under the name we have there: names are unique within a room, and a dm
  // pair names its two parties.
  function isOwn(m, conv) {
    const cid = typeof m.clientMsgId === 'string' ? m.clientMsgId : '';
    if (state.ownConnectionIds.has(m.connectionId) || (cid !== '' && state.ownClientMsgIds.has(cid))) return true;
    if (!conv || typeof m.name !== 'string') return false;
    if (conv.kind === 'room') return conv.myName !== '' && m.name === conv.myName;
    return m.name === state.name && m.name !== conv.peer;
  }

  /**
   * Shows one message in its conversation, in order (the Sequencer decided it is next). The
   * pending bubble of one of ours (same clientMsgId, or the seq its ack gave) becomes it.
   */
  function render(conv, m, opts) {
    if (m.id != null) {
      const id = String(m.id);
      if (conv.seen.has(id)) return;
      conv.seen.add(id);
    }
    const cid = typeof m.clientMsgId === 'string' ? m.clientMsgId : '';
    const own = isOwn(m, conv);
    const item = state.outbox.find((x) => x.conv === conv.key &&
      ((cid && x.cid === cid) || (x.seq != null && x.seq === m.seq)));
    const isCurrent = conv === cur();
    const atBottom = isCurrent && isNearBottom();

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
    } else {
      node = buildMessage({ name: m.name, text: m.text, own });
    }
    fillMessage(node, m);
    insertDelivered(conv, node);
    if (own) node.classList.add('own');
    if (typeof m.seq === 'number' && (conv.oldest == null || m.seq < conv.oldest)) conv.oldest = m.seq;

    const fresh = opts.live && !own;
    if (isCurrent) afterInsert(atBottom || own, fresh);
    if (fresh) {
      if (!isCurrent || document.hidden) {
        conv.unread += 1;
        markListsDirty();
      }
      if (isCurrent) queueAnnouncement(m);
    }
  }

  /** After a batch of renders into `conv`: the things that depend on its whole list. */
  function afterRender(conv) {
    if (conv === cur()) {
      updateEmpty();
      updateHistoryTop();
    }
  }

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
  function insertDelivered(conv, node) {
    let firstPending = null;
    for (let c = conv.list.lastElementChild; c && c.classList.contains('pending'); c = c.previousElementSibling) {
      if (c !== node) firstPending = c;
    }
    if (firstPending) conv.list.insertBefore(node, firstPending);
    else conv.list.append(node);
  }

  function systemLine(conv, text) {
    const isCurrent = conv === cur();
    const atBottom = isCurrent && isNearBottom();
    const li = document.createElement('li');
    li.className = 'system-line';
    li.dataset.testid = 'system-line';
    li.textContent = text;
    insertDelivered(conv, li);
    if (isCurrent) {
      afterInsert(atBottom, false);
      updateEmpty();
    }
  }

  function updateEmpty() {
    const conv = cur();
    if (!conv) return;
    const hasAny = conv.list.querySelector(':scope > .message') !== null;
    el.empty.hidden = hasAny;
    if (hasAny) return;
    if (!conv.seq.started) el.empty.textContent = 'Loading messages…';
    else if (conv.kind === 'dm') el.empty.textContent = 'No messages with ' + conv.peer + ' yet. Only the two of you see this conversation.';
    else el.empty.textContent = 'No messages in #' + conv.key + ' yet. Say hello!';
  }

  function updateHistoryTop() {
    const conv = cur();
    if (!conv) return;
    const more = hasOlder(conv);
    el.historyMore.hidden = !more;
    el.historyMore.disabled = conv.olderLoading;
    el.historyMore.textContent = conv.olderLoading ? 'Loading older messages…' : 'Load older messages';
    el.historyMore.setAttribute('aria-busy', conv.olderLoading ? 'true' : 'false');
    const atStart = conv.seq.started && !more && conv.list.querySelector(':scope > .message') !== null;
    el.historyStart.hidden = !atStart;
    if (atStart) {
      el.historyStart.textContent = conv.kind === 'dm'
        ? 'This is the beginning of your conversation with ' + conv.peer + '.'
        : 'This is the beginning of #' + conv.key + '.';
    }
  }

  // Loads an older page when the top of the list is in view (or nearly).
  function maybeLoadOlder() {
    const conv = cur();
    if (!conv || !hasOlder(conv) || conv.olderLoading || el.historyMore.hidden) return;
    const s = el.scroller.getBoundingClientRect();
    const b = el.historyMore.getBoundingClientRect();
    if (b.bottom >= s.top - 200 && b.top <= s.bottom) requestOlder(conv);
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
  }

  // New messages in the conversation on screen are read out by a polite live region (the
  // message list itself is not live: switching rooms or loading older pages would read it all).
  function queueAnnouncement(m) {
    state.announceQueue.push(m);
    if (state.announceTimer) return;
    state.announceTimer = setTimeout(() => {
      const q = state.announceQueue;
      state.announceQueue = [];
      state.announceTimer = 0;
      if (!q.length) return;
      const last = q[q.length - 1];
      el.announcer.textContent = q.length === 1
        ? (last.name || 'Someone') + ': ' + last.text
        : q.length + ' new messages. Last from ' + (last.name || 'someone') + ': ' + last.text;
    }, 150);
  }

  function totalUnread() {
    let n = 0;
    for (const c of state.convs.values()) n += c.unread;
    return n;
  }

  function updateTitle() {
    const conv = cur();
    const base = state.joined && conv ? convLabel(conv) + ' · Parley' : 'Parley';
    const n = totalUnread();
    document.title = n > 0 ? '(' + n + ') ' + base : base;
  }

  function updateHeader() {
    const conv = cur();
    if (!conv) return;
    el.roomHash.textContent = conv.kind === 'dm' ? '@' : '#';
    el.roomName.textContent = conv.kind === 'dm' ? conv.peer : conv.key;
    el.selfName.textContent = (conv.kind === 'room' && conv.myName) || state.name;
    el.input.placeholder = 'Message ' + convLabel(conv);
  }

  // ---- Sidebar: rooms and direct messages ----

  function markListsDirty() {
    state.listsDirty = true;
  }

  function flushLists() {
    if (!state.listsDirty) return;
    state.listsDirty = false;
    renderConvLists();
  }

  function isOnline(name) {
    const lower = String(name).toLowerCase();
    for (const c of roomConvs()) {
      if (!c.members) continue;
      for (const m of c.members.values()) {
        if (m.name.toLowerCase() === lower) return true;
      }
    }
    return false;
  }

  function renderConvLists() {
    const focused = document.activeElement;
    const focusKey = focused && focused.closest && focused.closest('.conv-item') ? focused.closest('.conv-item').dataset.room : null;
    const focusLeave = focused && focused.classList && focused.classList.contains('conv-leave');
    const rooms = roomConvs();
    el.roomList.textContent = '';
    for (const c of rooms) el.roomList.append(convItem(c, rooms.length > 1));
    el.dmList.textContent = '';
    const dms = dmConvs();
    for (const c of dms) el.dmList.append(convItem(c, false));
    el.dmEmpty.hidden = dms.length > 0;
    if (focusKey) {
      const item = [...el.sidebar.querySelectorAll('.conv-item')].find((li) => li.dataset.room === focusKey);
      const target = item && (focusLeave ? item.querySelector('.conv-leave') : item.querySelector('.conv-link'));
      if (target) target.focus();
    }
    // The unread count of the other conversations, on the drawer toggle (phones).
    let others = 0;
    for (const c of state.convs.values()) if (c.key !== state.current) others += c.unread;
    el.roomsToggleBadge.hidden = others === 0;
    el.roomsToggleBadge.textContent = others > 99 ? '99+' : String(others);
    el.roomsToggle.setAttribute('aria-label', 'Rooms and direct messages' + (others ? ', ' + others + ' unread' : ''));
    updateTitle();
  }

  function convItem(conv, canLeave) {
    const isCurrent = conv.key === state.current;
    const li = document.createElement('li');
    li.className = 'conv-item' + (isCurrent ? ' current' : '') + (conv.unread ? ' has-unread' : '');
    li.dataset.testid = conv.kind === 'dm' ? 'dm-item' : 'room-item';
    li.dataset.room = conv.key;
    if (conv.kind === 'dm') li.dataset.name = conv.peer;

    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'conv-link';
    if (isCurrent) link.setAttribute('aria-current', 'true');
    const mark = document.createElement('span');
    mark.setAttribute('aria-hidden', 'true');
    if (conv.kind === 'dm') {
      const online = isOnline(conv.peer);
      mark.className = 'presence-dot' + (online ? ' online' : '');
      li.dataset.online = online ? 'true' : 'false';
    } else {
      mark.className = 'conv-hash';
      mark.textContent = '#';
    }
    const name = document.createElement('span');
    name.className = 'conv-name';
    name.textContent = conv.kind === 'dm' ? conv.peer : conv.key;
    link.append(mark, name);
    if (conv.kind === 'room' && conv.key === state.home) link.title = '#' + conv.key + ' (the room you signed in with)';
    if (conv.unread > 0 && !isCurrent) {
      const badge = document.createElement('span');
      badge.className = 'unread-badge';
      badge.dataset.testid = 'room-unread';
      badge.setAttribute('aria-hidden', 'true');
      badge.textContent = conv.unread > 99 ? '99+' : String(conv.unread);
      const sr = document.createElement('span');
      sr.className = 'visually-hidden';
      sr.textContent = ', ' + conv.unread + ' unread';
      link.append(badge, sr);
    }
    li.append(link);
    if (conv.kind === 'room') {
      const leave = document.createElement('button');
      leave.type = 'button';
      leave.className = 'conv-leave';
      leave.dataset.testid = 'leave-room-button';
      leave.setAttribute('aria-label', 'Leave #' + conv.key);
      leave.title = canLeave ? 'Leave #' + conv.key : 'You are in no other room';
      leave.disabled = !canLeave;
      leave.textContent = '×';
      li.append(leave);
    } else {
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'conv-leave';
      close.dataset.testid = 'close-dm-button';
      close.setAttribute('aria-label', 'Close the conversation with ' + conv.peer);
      close.title = 'Close (its history stays on the server)';
      close.textContent = '×';
      li.append(close);
    }
    return li;
  }

  function onConvListClick(ev) {
    const li = ev.target.closest('.conv-item');
    if (!li) return;
    const conv = state.convs.get(li.dataset.room);
    if (!conv) return;
    if (ev.target.closest('.conv-leave')) {
      leaveConv(conv, {});
      return;
    }
    switchTo(conv.key);
    closeDrawers(false);
    if (ev.detail > 0 || isDrawerMode('sidebar')) el.input.focus(); // by pointer: type right away
  }

  // Arrow keys move between conversations in the sidebar; Home/End to the first/last.
  function onConvListKey(ev) {
    const link = ev.target.closest && ev.target.closest('.conv-link');
    if (!link) return;
    const links = [...el.sidebar.querySelectorAll('.conv-link')];
    const i = links.indexOf(link);
    let j = -1;
    if (ev.key === 'ArrowDown') j = Math.min(links.length - 1, i + 1);
    else if (ev.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = links.length - 1;
    else if (ev.key === 'Delete') {
      const leave = link.parentNode.querySelector('.conv-leave');
      if (leave && !leave.disabled) {
        ev.preventDefault();
        leave.click();
      }
      return;
    }
    if (j < 0 || ev.altKey) return;
    ev.preventDefault();
    links[j].focus();
  }

  function switchTo(key) {
    const next = state.convs.get(key);
    if (!next) return;
    const prev = cur();
    if (prev && prev !== next) {
      prev.stuck = state.stuck;
      prev.scrollTop = el.scroller.scrollTop;
      prev.draft = el.input.value;
    }
    state.current = key;
    const attached = el.scroller.querySelector('ol.messages');
    if (attached !== next.list) {
      if (attached) {
        attached.removeAttribute('id');
        attached.replaceWith(next.list);
      } else {
        el.scroller.append(next.list);
      }
      next.list.id = 'messages';
    }
    next.unread = 0;
    el.scroller.setAttribute('aria-label', 'Messages in ' + convLabel(next));
    if (prev !== next) {
      el.input.value = next.draft;
      onInput();
      state.unseenBelow = 0;
      el.jump.hidden = true;
      el.announcer.textContent = '';
    }
    updateHeader();
    updateEmpty();
    updateHistoryTop();
    if (next.stuck) scrollToBottom();
    else {
      el.scroller.scrollTop = next.scrollTop;
      state.stuck = isNearBottom();
    }
    renderMembers();
    sendWho(next);
    renderConvLists();
    saveSession();
    requestAnimationFrame(maybeLoadOlder);
  }

  /** Switches to the conversation `delta` steps away in sidebar order (Alt+↑/↓). */
  function switchBy(delta) {
    const all = orderedConvs();
    if (all.length < 2) return;
    const i = all.findIndex((c) => c.key === state.current);
    const next = all[(i + delta + all.length) % all.length];
    const fromList = document.activeElement && document.activeElement.closest && document.activeElement.closest('.conv-item');
    switchTo(next.key);
    if (fromList) {
      const li = [...el.sidebar.querySelectorAll('.conv-item')].find((x) => x.dataset.room === next.key);
      if (li) li.querySelector('.conv-link').focus();
    }
  }

  function joinRoomFromInput() {
    const raw = el.joinRoomInput.value.trim().replace(/^#/, '');
    const r = raw ? validateRoom(raw) : { ok: false, error: 'Enter the name of a room.' };
    showFieldError(el.joinRoomInput, el.joinRoomError, r.ok ? '' : r.error);
    if (!r.ok) {
      el.joinRoomInput.focus();
      return;
    }
    el.joinRoomInput.value = '';
    let conv = state.convs.get(r.room);
    if (!conv) {
      conv = addRoom(r.room);
      if (state.welcomed) sendJoin(conv); // else: joined on the next welcome
    }
    switchTo(conv.key);
    closeDrawers(false);
    el.input.focus();
  }

  // Leaves a room (or closes a dm conversation). The list changes at once; the server's `left`
  // follows. At least one room stays: the socket's URL needs a home room.
  function leaveConv(conv, opts) {
    if (conv.kind === 'room') {
      const rooms = roomConvs();
      if (rooms.length <= 1) return;
      if (state.welcomed && sendFrame({ action: 'leave', room: conv.key })) expect('leave', { room: conv.key });
    }
    const order = orderedConvs();
    const idx = order.indexOf(conv);
    const hadFocus = el.sidebar.contains(document.activeElement);
    dropRoom(conv);
    if (!opts.quiet && hadFocus) {
      const rest = orderedConvs();
      const next = rest[Math.min(idx, rest.length - 1)];
      const li = next && [...el.sidebar.querySelectorAll('.conv-item')].find((x) => x.dataset.room === next.key);
      if (li) li.querySelector('.conv-link').focus();
    }
  }

  function dropRoom(conv) {
    if (!state.convs.has(conv.key)) return;
    removeConv(conv);
    if (conv.kind === 'room' && conv.key === state.home) {
      const first = roomConvs()[0];
      if (first) setHome(first.key);
    }
    if (state.current === conv.key) {
      const home = state.convs.get(state.home) || orderedConvs()[0];
      if (home) switchTo(home.key);
    } else {
      renderConvLists();
    }
    saveSession();
  }

  function setHome(room) {
    state.home = room;
    const u = new URL(window.location.href);
    u.searchParams.set('room', room);
    try { window.history.replaceState(null, '', u.href); } catch (e) { /* file:// and friends */ }
  }

  function openDm(name) {
    if (!name) return;
    const peerId = userIdOf(name);
    let conv = findDmByPeer(name, peerId);
    if (!conv) {
      // With both user ids this is the server's key; else a guess the first dm event corrects.
      conv = addDm(dmKey(state.userId || state.name, peerId || name), name);
      conv.peerId = peerId;
      if (peerId && state.userId) requestForward(conv);
    }
    switchTo(conv.key);
    closeDrawers(false);
    el.input.focus();
  }

  // ---- Members ----

  function renderMembers() {
    const conv = cur();
    el.members.textContent = '';
    if (!conv) return;
    if (conv.kind === 'dm') {
      el.membersTitle.firstChild.textContent = 'Conversation ';
      el.membersCount.textContent = '';
      el.members.append(memberItem(conv.peer, false, isOnline(conv.peer)));
      el.members.append(memberItem(state.name, true, state.conn === 'online'));
      el.membersNote.hidden = false;
      el.membersNote.textContent = 'Direct messages are seen only by the two of you.';
      el.membersToggle.setAttribute('aria-label', 'Conversation');
      return;
    }
    el.membersTitle.firstChild.textContent = 'Members ';
    if (!conv.members) {
      el.membersCount.textContent = '';
      el.membersNote.hidden = false;
      el.membersNote.textContent = state.unsupported.has('who') ? 'The member list is not available on this server.' : 'Loading members…';
      el.membersToggle.setAttribute('aria-label', 'Members');
      return;
    }
    const list = [...conv.members.entries()].map(([id, m]) => ({ id, name: m.name }))
      .sort((a, b) => (a.id === state.connectionId ? -1 : b.id === state.connectionId ? 1 : a.name.localeCompare(b.name)));
    for (const m of list) el.members.append(memberItem(m.name, m.id === state.connectionId, true));
    const large = conv.memberCount !== null && conv.memberCount !== undefined && conv.memberCount > list.length;
    const total = large ? conv.memberCount : list.length;
    el.membersCount.textContent = '(' + total + ')';
    el.membersNote.hidden = !large;
    if (large) el.membersNote.textContent = 'A large room: ' + list.length + ' of ' + total + ' shown, and the list is not live.';
    el.membersToggle.setAttribute('aria-label', 'Members of #' + conv.key + ', ' + total);
  }

  function memberItem(name, self, online) {
    const li = document.createElement('li');
    li.className = 'member' + (self ? ' self' : '');
    li.dataset.testid = 'member';
    li.dataset.name = name;
    const avatar = document.createElement('span');
    avatar.className = 'avatar member-avatar hue-' + hueOf(name);
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = (name.trim()[0] || '?').toUpperCase();
    const dot = document.createElement('span');
    dot.className = 'presence-dot' + (online ? ' online' : '');
    dot.setAttribute('aria-hidden', 'true');
    avatar.append(dot);
    const label = document.createElement('span');
    label.className = 'member-name';
    label.textContent = name;
    if (self) {
      const you = document.createElement('span');
      you.className = 'member-you';
      you.textContent = '(you)';
      li.append(avatar, label, you);
      return li;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'member-button';
    button.title = 'Send ' + name + ' a direct message';
    button.setAttribute('aria-label', name + (online ? '' : ' (offline)') + ': send a direct message');
    button.append(avatar, label);
    button.addEventListener('click', () => openDm(name));
    li.append(button);
    return li;
  }

  // ---- Drawers (the sidebar and the members on narrow screens) ----

  const drawerQuery = {
    sidebar: window.matchMedia('(max-width: 760px)'),
    members: window.matchMedia('(max-width: 1099px)'),
  };

  function isDrawerMode(which) {
    return drawerQuery[which].matches;
  }

  function openDrawer(which) {
    closeDrawers(false);
    const panel = which === 'sidebar' ? el.sidebar : el.membersPanel;
    const toggle = which === 'sidebar' ? el.roomsToggle : el.membersToggle;
    state.drawer = which;
    panel.classList.add('open');
    // Modal while open: the rest of the page is out of reach for Tab and screen readers.
    for (const node of [document.querySelector('.topbar'), el.chatView, which === 'sidebar' ? el.membersPanel : el.sidebar]) {
      node.inert = true;
    }
    toggle.setAttribute('aria-expanded', 'true');
    el.backdrop.hidden = false;
    const first = panel.querySelector('[aria-current="true"]') ||
      panel.querySelector('.conv-link, .member-button, input') || panel.querySelector('button');
    if (first) first.focus();
  }

  function closeDrawers(returnFocus) {
    const which = state.drawer;
    state.drawer = '';
    el.sidebar.classList.remove('open');
    el.membersPanel.classList.remove('open');
    el.roomsToggle.setAttribute('aria-expanded', 'false');
    el.membersToggle.setAttribute('aria-expanded', 'false');
    el.backdrop.hidden = true;
    for (const node of [document.querySelector('.topbar'), el.chatView, el.sidebar, el.membersPanel]) node.inert = false;
    if (returnFocus && which) (which === 'sidebar' ? el.roomsToggle : el.membersToggle).focus();
  }

  function toggleDrawer(which) {
    if (state.drawer === which) closeDrawers(true);
    else openDrawer(which);
  }

  // ---- Outbox ----
  // Messages typed while disconnected are queued and sent, with the same clientMsgId, once the
  // conversation is ready again (welcome / joined). One handed to a socket that then died is
  // sent again too: the server stores a clientMsgId once and acks a retry as a duplicate. An ack
  // marks it stored; its message event (or the history that brings its seq) puts it in order.

  function submitMessage() {
    const conv = cur();
    if (!conv) return;
    const text = cleanOutgoing(el.input.value);
    if (!text.trim()) return;
    if (text.length > MAX_MESSAGE) {
      notice('Messages can be at most ' + MAX_MESSAGE + ' characters.', 'error');
      return;
    }
    const cid = newClientMsgId();
    state.ownClientMsgIds.add(cid);
    const node = buildMessage({ name: (conv.kind === 'room' && conv.myName) || state.name, text, own: true });
    node.classList.add('pending');
    node.dataset.clientMsgId = cid;
    setTime(node, new Date());
    const item = { cid, conv: conv.key, text, status: 'queued', node, ackTimer: 0, seq: null };
    state.outbox.push(item);
    conv.list.append(node);
    conv.draft = '';
    el.empty.hidden = true;
    el.input.value = '';
    onInput();
    scrollToBottom();
    trySend(item);
    refreshOutboxLabel(item);
  }

  function trySend(item) {
    const conv = state.convs.get(item.conv);
    if (!conv || !conv.ready) {
      item.status = 'queued';
      return false;
    }
    const frame = conv.kind === 'dm'
      ? { action: 'dm', to: conv.peerId || conv.peer, message: item.text, clientMsgId: item.cid }
      : { action: 'sendmessage', room: conv.key, message: item.text, clientMsgId: item.cid };
    if (!sendFrame(frame)) {
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

  function flushOutbox(key) {
    for (const item of state.outbox) {
      if (item.status === 'queued' && (key == null || item.conv === key)) trySend(item);
    }
    refreshOutboxLabels();
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
    if (item.status === 'stored') {
      if (box) box.remove();
      return;
    }
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
        item.why = '';
        trySend(item);
        refreshOutboxLabel(item);
      });
      const discard = smallButton('Discard', () => {
        const hadFocus = node.contains(document.activeElement);
        state.outbox.splice(state.outbox.indexOf(item), 1);
        node.remove();
        updateEmpty();
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

  // ---- Join / sign out ----

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
    start({ name: n.name, home: r.room, rooms: [r.room], dms: [], current: r.room });
  }

  // Enters the chat: from the join form, or from the tab's saved session after a reload.
  function start(s) {
    state.name = s.name;
    state.joined = true;
    state.attempt = 0;
    state.convs.clear();
    state.outbox = [];
    addRoom(s.home);
    for (const r of s.rooms || []) if (validateRoom(r).ok) addRoom(r);
    for (const d of s.dms || []) {
      if (d && isDmKey(d.key) && typeof d.peer === 'string' && d.peer) {
        addDm(d.key, d.peer).peerId = typeof d.peerId === 'string' ? d.peerId : '';
      }
    }
    setHome(s.home);
    el.roomInfo.hidden = false;
    el.app.classList.add('is-joined');
    el.leave.hidden = false;
    el.joinView.hidden = true;
    el.workspace.hidden = false;
    switchTo(state.convs.has(s.current) ? s.current : s.home);
    onInput();
    el.input.focus();
    connect();
  }

  function signOut() {
    state.joined = false;
    closeSocket();
    resetSocketState();
    for (const item of state.outbox) clearTimeout(item.ackTimer);
    for (const c of state.convs.values()) clearTimeout(c.gapTimer);
    state.outbox = [];
    state.convs.clear();
    state.current = '';
    clearSession();
    closeDrawers(false);
    const attached = el.scroller.querySelector('ol.messages');
    if (attached) attached.textContent = '';
    el.jump.hidden = true;
    el.notices.textContent = '';
    el.roomInfo.hidden = true;
    el.app.classList.remove('is-joined');
    el.leave.hidden = true;
    el.workspace.hidden = true;
    el.joinView.hidden = false;
    el.roomInput.value = state.home === DEFAULT_ROOM ? '' : state.home;
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

  el.joinRoomForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    joinRoomFromInput();
  });
  el.joinRoomInput.addEventListener('input', () => {
    if (!el.joinRoomError.hidden) showFieldError(el.joinRoomInput, el.joinRoomError, '');
  });
  el.roomList.addEventListener('click', onConvListClick);
  el.dmList.addEventListener('click', onConvListClick);
  el.sidebar.addEventListener('keydown', onConvListKey);

  el.roomsToggle.addEventListener('click', () => toggleDrawer('sidebar'));
  el.membersToggle.addEventListener('click', () => toggleDrawer('members'));
  el.backdrop.addEventListener('click', () => closeDrawers(true));
  for (const b of el.drawerCloses) b.addEventListener('click', () => closeDrawers(true));
  for (const q of Object.values(drawerQuery)) {
    q.addEventListener('change', () => {
      if (state.drawer && !isDrawerMode(state.drawer)) closeDrawers(false);
    });
  }

  el.retry.addEventListener('click', () => {
    clearRetry();
    if (state.ws) return;
    connect();
  });
  el.leave.addEventListener('click', signOut);

  el.historyMore.addEventListener('click', () => requestOlder(cur()));
  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) maybeLoadOlder();
    }, { root: el.scroller, rootMargin: '200px 0px 0px 0px' }).observe(el.historyMore);
  }

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
    if (el.scroller.scrollTop < 300) maybeLoadOlder();
  }, { passive: true });
  el.jump.addEventListener('click', () => {
    scrollToBottom();
    el.input.focus();
  });

  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      if (state.drawer) {
        closeDrawers(true);
        return;
      }
      const last = el.notices.lastElementChild;
      if (last) dismissNotice(last);
      return;
    }
    if (state.joined && ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.key === 'ArrowUp' || ev.key === 'ArrowDown')) {
      ev.preventDefault();
      switchBy(ev.key === 'ArrowUp' ? -1 : 1);
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      const conv = cur();
      if (conv && conv.unread) {
        conv.unread = 0;
        renderConvLists();
      }
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
  const saved = endpoint.ok ? loadSession() : null;
  if (saved && validateRoom(saved.home).ok) {
    start(saved);
  } else {
    el.nameInput.focus();
  }
})();
