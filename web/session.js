/*
 * The composer, and entering (join) and leaving (sign out) the chat.
 */

import { COUNTER_FROM, DEFAULT_ROOM, MAX_MESSAGE } from './config.js';
import { isDmKey, validateName, validateRoom } from './protocol.js';
import { el, endpoint, state } from './state.js';
import { clearSession, saveName } from './identity.js';
import { notice, setStatus } from './notices.js';
import { addDm, addRoom } from './conversations.js';
import { closeSocket, connect, resetSocketState } from './connection.js';
import { updateTitle } from './render.js';
import { setHome, switchTo } from './sidebar.js';
import { closeDrawers } from './members.js';

// ---- Composer ----

export function onInput() {
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

export function showFieldError(input, box, message) {
  box.textContent = message || '';
  box.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

export function join() {
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
export function start(s) {
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

export function signOut() {
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
