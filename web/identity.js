/*
 * The remembered name, the guest token (welcome.guestToken) and the tab's session: local and
 * session storage, which may throw (private mode, disabled cookies).
 */

import { GUEST_KEY, NAME_KEY, SESSION_KEY } from './config.js';
import { validateName } from './protocol.js';
import { state } from './state.js';

// ---- Storage (may throw: private mode, disabled cookies) ----

export function loadName() {
  try {
    return window.localStorage.getItem(NAME_KEY) || '';
  } catch (e) {
    return '';
  }
}

export function loadGuest() {
  try {
    return window.localStorage.getItem(GUEST_KEY) || '';
  } catch (e) {
    return '';
  }
}

export function saveGuest(token) {
  try {
    if (token) window.localStorage.setItem(GUEST_KEY, token);
    else window.localStorage.removeItem(GUEST_KEY);
  } catch (e) { /* a new guest next time; harmless */ }
}

export function saveName(name) {
  try {
    window.localStorage.setItem(NAME_KEY, name);
  } catch (e) { /* not remembered; harmless */ }
}

// The tab's session (name, rooms, dms, current) survives a reload, like a signed-in chat.
export function loadSession() {
  try {
    const s = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || 'null');
    if (!s || typeof s !== 'object' || !validateName(s.name).ok) return null;
    return s;
  } catch (e) {
    return null;
  }
}

export function saveSession() {
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

export function clearSession() {
  try {
    window.sessionStorage.removeItem(SESSION_KEY);
  } catch (e) { /* ignore */ }
}
