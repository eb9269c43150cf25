/*
 * The server's error events and the gateway's type-less frames.
 */

import { state } from './state.js';
import { notice } from './notices.js';
import { convLabel, cur } from './conversations.js';
import { settle, tryRejoin } from './connection.js';
import { updateEmpty, updateHistoryTop } from './render.js';
import { leaveConv } from './sidebar.js';
import { markFailed, refreshOutboxLabel } from './outbox.js';

export function onErrorEvent(data) {
  const code = typeof data.code === 'string' ? data.code : 'error';
  const action = typeof data.action === 'string' ? data.action : '';
  const text = typeof data.message === 'string' && data.message ? data.message : 'Something went wrong.';
  const cid = typeof data.clientMsgId === 'string' ? data.clientMsgId : '';
  let item = cid ? state.outbox.find((m) => m.cid === cid) : null;
  if (!item && !cid && (action === 'sendmessage' || action === 'dm' || (!action && (code === 'too_long' || code === 'bad_request')))) {
    // No clientMsgId in the error: the server answers in order, so it is the oldest in flight.
    item = state.outbox.find((m) => m.status === 'sending') || null;
  }

  // Requests without a clientMsgId: the error answers the oldest one of that action.
  const req = state.pending[action] ? settle(action) : null;
  if (action === 'join' && req) {
    // its history will not come either
    const i = state.pending.history.findIndex((e) => e.room === req.room && e.viaJoin);
    if (i >= 0) state.pending.history.splice(i, 1);
  }
  const reqConv = req ? state.convs.get(req.room) : null;

  if (code === 'unknown_action' && action && action !== 'sendmessage') {
    if (!state.unsupported.has(action)) {
      state.unsupported.add(action);
      notice('This server does not support “' + action + '” yet.', 'warn');
    }
    if (action === 'history' && reqConv) {
      reqConv.seq.started = true;
      reqConv.exhausted = true;
      reqConv.olderLoading = false;
      if (reqConv === cur()) { updateHistoryTop(); updateEmpty(); }
    }
    if (item) markFailed(item, 'Not supported by the server.');
    return;
  }

  if (code === 'not_member') {
    if (item) {
      const conv = state.convs.get(item.conv);
      if (conv && tryRejoin(conv)) {
        item.status = 'queued';
        refreshOutboxLabel(item);
        return;
      }
      markFailed(item, 'You are not in ' + (conv ? convLabel(conv) : 'that room') + '.');
      notice(text + ' (' + code + ')', 'error');
      return;
    }
    if (action === 'leave') return; // out already
    if (reqConv && reqConv.kind === 'room' && (action === 'history' || action === 'who')) {
      if (req.kind === 'before') reqConv.olderLoading = false;
      tryRejoin(reqConv);
      return;
    }
    if (reqConv && reqConv.kind === 'dm' && action === 'history') {
      // No stored pair yet (or not under that key): an empty conversation.
      reqConv.olderLoading = false;
      if (!reqConv.seq.started) reqConv.seq.history([], 0);
      if (reqConv === cur()) { updateHistoryTop(); updateEmpty(); }
      return;
    }
  }

  if (action === 'history' && reqConv) {
    reqConv.olderLoading = false;
    if (reqConv === cur()) updateHistoryTop();
  }

  if (code === 'bad_room' && action === 'join') {
    const room = req ? req.room : '';
    const conv = room ? state.convs.get(room) : null;
    if (conv && !conv.seq.started) leaveConv(conv, { quiet: true });
    notice('Cannot join' + (room ? ' #' + room : '') + ': ' + text, 'error');
    return;
  }

  if (item) {
    const conv = state.convs.get(item.conv);
    const why = {
      too_long: 'Too long for the server.',
      unknown_recipient: (conv && conv.peer ? conv.peer : 'They') + ' cannot be reached: offline, or no room in common.',
      ambiguous_recipient: 'Several people are called ' + (conv && conv.peer ? conv.peer : 'that') +
        ': open the conversation from the member list.',
      internal: 'The server could not store it.',
      bad_request: 'Refused by the server.',
    }[code] || 'Refused by the server.';
    markFailed(item, why);
  }
  notice(text + ' (' + code + ')', code === 'unknown_recipient' ? 'warn' : 'error');
}
