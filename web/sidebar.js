/*
 * The sidebar: the rooms and direct messages, switching, joining, leaving, opening a dm.
 */

import { dmKey, validateRoom } from './protocol.js';
import { el, state } from './state.js';
import { saveSession } from './identity.js';
import {
  addDm, addRoom, convLabel, cur, dmConvs, findDmByPeer,
  orderedConvs, removeConv, roomConvs, userIdOf,
} from './conversations.js';
import { expect, requestForward, sendFrame, sendJoin, sendWho } from './connection.js';
import {
  isNearBottom, maybeLoadOlder, scrollToBottom, updateEmpty, updateHeader, updateHistoryTop,
  updateTitle,
} from './render.js';
import { closeDrawers, isDrawerMode, renderMembers } from './members.js';
import { onInput, showFieldError } from './session.js';

// ---- Sidebar: rooms and direct messages ----

export function markListsDirty() {
  state.listsDirty = true;
}

export function flushLists() {
  if (!state.listsDirty) return;
  state.listsDirty = false;
  renderConvLists();
}

export function isOnline(name) {
  const lower = String(name).toLowerCase();
  for (const c of roomConvs()) {
    if (!c.members) continue;
    for (const m of c.members.values()) {
      if (m.name.toLowerCase() === lower) return true;
    }
  }
  return false;
}

export function renderConvLists() {
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

export function onConvListClick(ev) {
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
export function onConvListKey(ev) {
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

export function switchTo(key) {
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
export function switchBy(delta) {
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

export function joinRoomFromInput() {
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
export function leaveConv(conv, opts) {
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

export function dropRoom(conv) {
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

export function setHome(room) {
  state.home = room;
  const u = new URL(window.location.href);
  u.searchParams.set('room', room);
  try { window.history.replaceState(null, '', u.href); } catch (e) { /* file:// and friends */ }
}

export function openDm(name) {
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
