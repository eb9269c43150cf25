/*
 * The page's elements, its endpoint and its mutable state, shared by every module.
 */

import { DEFAULT_ROOM } from './config.js';
import { resolveEndpoint } from './protocol.js';

// ---- The page -----------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
export const el = {
  app: $('app'),
  status: $('status'), statusLabel: $('status-label'), statusExtra: $('status-extra'),
  retry: $('retry-button'), leave: $('leave-button'),
  roomInfo: $('room-info'), roomHash: $('room-hash'), roomName: $('room-name'), selfName: $('self-name'),
  notices: $('notices'),
  joinView: $('join-view'), joinForm: $('join-form'),
  nameInput: $('name-input'), nameError: $('name-error'),
  roomInput: $('room-input'), roomError: $('room-error'),
  workspace: $('workspace'),
  sidebar: $('sidebar'), roomList: $('room-list'), dmList: $('dm-list'), dmEmpty: $('dm-empty'),
  joinRoomForm: $('join-room-form'), joinRoomInput: $('join-room-input'), joinRoomError: $('join-room-error'),
  membersPanel: $('members-panel'), members: $('members'), membersCount: $('members-count'),
  membersTitle: $('members-title'), membersNote: $('members-note'),
  roomsToggle: $('rooms-toggle'), roomsToggleBadge: $('rooms-toggle-badge'), membersToggle: $('members-toggle'),
  backdrop: $('backdrop'),
  chatView: $('chat-view'), scroller: $('scroller'), empty: $('empty-state'),
  historyMore: $('history-more'), historyStart: $('history-start'), announcer: $('announcer'),
  drawerCloses: document.querySelectorAll('.drawer-close'),
  jump: $('jump-button'),
  composer: $('composer'), input: $('message-input'), send: $('send-button'), counter: $('counter'),
};

const meta = document.querySelector('meta[name="parley-stage"]');
export const endpoint = resolveEndpoint(window.location, meta ? meta.getAttribute('content') : '');

export const state = {
  joined: false,
  name: '',                // the name asked for (the server may show another in a room)
  home: DEFAULT_ROOM,      // the room in the socket URL
  ws: null,
  conn: 'idle',            // idle | connecting | online | reconnecting | offline
  welcomed: false,         // this socket got its welcome
  attempt: 0,
  retryTimer: 0, countdownTimer: 0, retryAt: 0,
  stableTimer: 0, pingTimer: 0, pongTimer: 0,
  connectionId: null,
  userId: '',              // ours (welcome): a guest id or a signed-in user's sub
  ownConnectionIds: new Set(), // every id this page had: echoes across reconnects stay "own"
  ownClientMsgIds: new Set(),
  // {cid, conv, text, status: queued|sending|stored|failed, why, node, ackTimer, seq}
  outbox: [],
  convs: new Map(),        // room key -> conversation (see makeConv), rooms and dms
  current: '',             // key of the conversation on screen
  // Requests whose answer names no request: matched in order per action (the server answers
  // a connection's frames in order). history: {room, kind: newest|after|before, at, viaJoin}.
  pending: { history: [], join: [], who: [], leave: [] },
  unsupported: new Set(),  // actions the server answered unknown_action to
  unseenBelow: 0,          // messages added below the viewport while scrolled up
  stuck: true,             // the view follows the newest message
  closedNotice: null,      // the "disconnected by the server" notice, gone once back online
  drawer: '',              // '' | 'sidebar' | 'members' (phone and tablet widths)
  listsDirty: false,
  announceQueue: [],
  announceTimer: 0,
};
