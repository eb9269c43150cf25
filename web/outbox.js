/*
 * The outbox: messages typed while disconnected, sent once the conversation is ready again.
 */

import { ACK_TIMEOUT_MS, MAX_MESSAGE } from './config.js';
import { cleanOutgoing, newClientMsgId } from './protocol.js';
import { el, state } from './state.js';
import { notice } from './notices.js';
import { cur } from './conversations.js';
import { sendFrame } from './connection.js';
import { buildMessage, scrollToBottom, setTime, updateEmpty } from './render.js';
import { onInput } from './session.js';

// ---- Outbox ----
// Messages typed while disconnected are queued and sent, with the same clientMsgId, once the
// conversation is ready again (welcome / joined). One handed to a socket that then died is
// sent again too: the server stores a clientMsgId once and acks a retry as a duplicate. An ack
// marks it stored; its message event (or the history that brings its seq) puts it in order.

export function submitMessage() {
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

export function flushOutbox(key) {
  for (const item of state.outbox) {
    if (item.status === 'queued' && (key == null || item.conv === key)) trySend(item);
  }
  refreshOutboxLabels();
}

export function markFailed(item, why) {
  clearTimeout(item.ackTimer);
  item.status = 'failed';
  item.why = why;
  refreshOutboxLabel(item);
}

export function refreshOutboxLabels() {
  for (const item of state.outbox) refreshOutboxLabel(item);
}

export function refreshOutboxLabel(item) {
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
