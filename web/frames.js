/*
 * Incoming frames: welcome, joined, left, name, members, presence, message/dm, history, ack.
 */

import { classifyFrame, dmPeer, isDmKey } from './protocol.js';
import { Sequencer } from './sequencer.js';
import { el, state } from './state.js';
import { saveGuest, saveSession } from './identity.js';
import { notice } from './notices.js';
import { addDm, addRoom, convLabel, cur, findDmByPeer, rekeyDm } from './conversations.js';
import { checkGap, requestForward, sendJoin, sendWho, settle } from './connection.js';
import { onErrorEvent } from './errors.js';
import {
  afterRender, buildMessage, fillMessage, isOwn, maybeLoadOlder, render,
  scrollToBottom, systemLine, updateEmpty, updateHeader, updateHistoryTop,
} from './render.js';
import { dropRoom, flushLists, markListsDirty, switchTo } from './sidebar.js';
import { renderMembers } from './members.js';
import { flushOutbox, refreshOutboxLabel } from './outbox.js';

// ---- Incoming frames ----

export function onFrame(raw) {
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
