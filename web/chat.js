/*
 * Parley browser client, the page's entry module. Speaks docs/protocol.md: JSON frames over one
 * WebSocket, actions `hello`, `sendmessage`, `join`, `leave`, `history`, `who`, `dm`, `ping`;
 * events `welcome`, `message`, `dm`, `ack`, `history`, `joined`, `left`, `name`, `presence`,
 * `members`, `pong`, `error`, plus the gateway's type-less frames ({"message":"Forbidden",...}).
 *
 * Every conversation (a room, or a direct-message pair `dmu:<a>:<b>` of user ids) keeps the
 * highest seq it shows and applies the *Ordering and catch-up* rules of protocol.md (sequencer.js),
 * so a message is shown exactly once and in order, also across reconnects.
 *
 * ES modules by concern, loaded by <script type="module"> with no build step (a module's
 * imports are fetched from 'self', which the CSP allows): config, protocol and sequencer are
 * pure (no DOM; unit tested under Node); state holds the elements and the shared state; identity,
 * notices, conversations, connection, frames, errors, render, sidebar, members, outbox and
 * session do one concern each. This module wires the page's events and starts.
 *
 * Runs under a strict CSP (no inline script or style, no eval): user data only ever reaches
 * the page through textContent. It defines no globals (modules have their own scope).
 */

import { validateName, validateRoom } from './protocol.js';
import { el, endpoint, state } from './state.js';
import { loadName, loadSession } from './identity.js';
import { dismissNotice, notice, setStatus } from './notices.js';
import { cur } from './conversations.js';
import { clearRetry, connect, dropSocket, requestOlder } from './connection.js';
import { isNearBottom, maybeLoadOlder, scrollToBottom, updateTitle } from './render.js';
import { joinRoomFromInput, onConvListClick, onConvListKey, renderConvLists, switchBy } from './sidebar.js';
import { closeDrawers, drawerQuery, isDrawerMode, toggleDrawer } from './members.js';
import { submitMessage } from './outbox.js';
import { join, onInput, showFieldError, signOut, start } from './session.js';

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
