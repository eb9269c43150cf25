/*
 * The connection status line and the dismissible notices.
 */

import { MAX_NOTICES } from './config.js';
import { el, state } from './state.js';

// ---- Status ----

const STATUS_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

export function setStatus(conn, detail) {
  state.conn = conn;
  el.status.dataset.state = conn;
  el.statusLabel.textContent = STATUS_TEXT[conn];
  el.status.title = detail || '';
  updateCountdown();
  el.retry.hidden = !(state.joined && (conn === 'reconnecting' || conn === 'offline'));
}

// The countdown is aria-hidden so screen readers hear "Reconnecting" once, not every second.
export function updateCountdown() {
  if (state.conn !== 'reconnecting') {
    el.statusExtra.textContent = '';
    return;
  }
  const secs = Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000));
  el.statusExtra.textContent = ' in ' + secs + 's';
}

// ---- Notices ----

export function notice(text, kind) {
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

export function dismissNotice(box) {
  const hadFocus = box.contains(document.activeElement);
  box.remove();
  if (hadFocus) focusDefault();
}

function focusDefault() {
  (state.joined ? el.input : el.nameInput).focus();
}
