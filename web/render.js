/*
 * Rendering messages into a conversation's list; scrolling, unread counts, the title.
 */

import { NEAR_BOTTOM_PX } from './config.js';
import { formatClock, formatFull } from './protocol.js';
import { el, state } from './state.js';
import { convLabel, cur, hasOlder } from './conversations.js';
import { requestOlder } from './connection.js';
import { markListsDirty } from './sidebar.js';

// ---- Rendering ----

// Ours: from one of this page's connections, or one of its clientMsgIds, or (messages from
// before a reload) under the name we have there: names are unique within a room, and a dm
// pair names its two parties.
export function isOwn(m, conv) {
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
export function render(conv, m, opts) {
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
export function afterRender(conv) {
  if (conv === cur()) {
    updateEmpty();
    updateHistoryTop();
  }
}

export function hueOf(name) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h % 8;
}

export function buildMessage(opts) {
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

export function setTime(node, date) {
  const time = node.querySelector('.message-time');
  if (isNaN(date.getTime())) date = new Date();
  time.dateTime = date.toISOString();
  time.textContent = formatClock(date);
  time.title = formatFull(date);
}

export function fillMessage(node, m) {
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

export function systemLine(conv, text) {
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

export function updateEmpty() {
  const conv = cur();
  if (!conv) return;
  const hasAny = conv.list.querySelector(':scope > .message') !== null;
  el.empty.hidden = hasAny;
  if (hasAny) return;
  if (!conv.seq.started) el.empty.textContent = 'Loading messages…';
  else if (conv.kind === 'dm') el.empty.textContent = 'No messages with ' + conv.peer + ' yet. Only the two of you see this conversation.';
  else el.empty.textContent = 'No messages in #' + conv.key + ' yet. Say hello!';
}

export function updateHistoryTop() {
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
export function maybeLoadOlder() {
  const conv = cur();
  if (!conv || !hasOlder(conv) || conv.olderLoading || el.historyMore.hidden) return;
  const s = el.scroller.getBoundingClientRect();
  const b = el.historyMore.getBoundingClientRect();
  if (b.bottom >= s.top - 200 && b.top <= s.bottom) requestOlder(conv);
}

export function isNearBottom() {
  const s = el.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight <= NEAR_BOTTOM_PX;
}

export function scrollToBottom() {
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

export function updateTitle() {
  const conv = cur();
  const base = state.joined && conv ? convLabel(conv) + ' · Parley' : 'Parley';
  const n = totalUnread();
  document.title = n > 0 ? '(' + n + ') ' + base : base;
}

export function updateHeader() {
  const conv = cur();
  if (!conv) return;
  el.roomHash.textContent = conv.kind === 'dm' ? '@' : '#';
  el.roomName.textContent = conv.kind === 'dm' ? conv.peer : conv.key;
  el.selfName.textContent = (conv.kind === 'room' && conv.myName) || state.name;
  el.input.placeholder = 'Message ' + convLabel(conv);
}
