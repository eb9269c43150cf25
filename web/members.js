/*
 * The member list, and the drawers (the sidebar and the members on narrow screens).
 */

import { el, state } from './state.js';
import { cur } from './conversations.js';
import { hueOf } from './render.js';
import { isOnline, openDm } from './sidebar.js';

// ---- Members ----

export function renderMembers() {
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

export const drawerQuery = {
  sidebar: window.matchMedia('(max-width: 760px)'),
  members: window.matchMedia('(max-width: 1099px)'),
};

export function isDrawerMode(which) {
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

export function closeDrawers(returnFocus) {
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

export function toggleDrawer(which) {
  if (state.drawer === which) closeDrawers(true);
  else openDrawer(which);
}
