/*
 * Conversations: one per room the user is in and per direct-message pair.
 */

import { dmPeer } from './protocol.js';
import { Sequencer } from './sequencer.js';
import { state } from './state.js';
import { saveSession } from './identity.js';
import { requestForward } from './connection.js';
import { markListsDirty, switchTo } from './sidebar.js';

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

export function cur() {
  return state.convs.get(state.current) || null;
}

export function convLabel(conv) {
  return (conv.kind === 'dm' ? '@' : '#') + (conv.kind === 'dm' ? conv.peer : conv.key);
}

export function roomConvs() {
  return [...state.convs.values()].filter((c) => c.kind === 'room');
}

export function dmConvs() {
  return [...state.convs.values()].filter((c) => c.kind === 'dm');
}

/** The conversations in sidebar order: rooms, then direct messages. */
export function orderedConvs() {
  return roomConvs().concat(dmConvs());
}

export function addRoom(key) {
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
export function findDmByPeer(peer, peerId) {
  if (peerId) {
    const exact = dmConvs().find((c) => c.peerId === peerId);
    if (exact) return exact;
  }
  const lower = String(peer).toLowerCase();
  return dmConvs().find((c) => !c.peerId && c.peer.toLowerCase() === lower) || null;
}

/** The user id of the member called `name` in the current room (or any room), if known. */
export function userIdOf(name) {
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

export function addDm(key, peer) {
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
export function rekeyDm(conv, key) {
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

export function removeConv(conv) {
  clearTimeout(conv.gapTimer);
  state.convs.delete(conv.key);
  state.outbox = state.outbox.filter((item) => {
    if (item.conv !== conv.key) return true;
    clearTimeout(item.ackTimer);
    return false;
  });
  markListsDirty();
}

export function hasOlder(conv) {
  return conv.seq.started && !conv.exhausted && conv.oldest != null && conv.oldest > 1;
}
