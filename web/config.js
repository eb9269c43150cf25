/*
 * Limits, timings and storage keys of the browser client (the server's limits: protocol.md).
 */

// ---- Limits and timings (the server's limits, see protocol.md) ----------------------------
export const MAX_MESSAGE = 4096;            // sendmessage.message, characters
export const COUNTER_FROM = MAX_MESSAGE - 400; // show the counter once this close to the limit
export const DEFAULT_ROOM = 'lobby';
export const DEFAULT_STAGE = 'dev';
export const BACKOFF_BASE_MS = 500;         // first retry after about 0.5 s ...
export const BACKOFF_MAX_MS = 30000;        // ... doubling up to 30 s
export const STABLE_AFTER_MS = 10000;       // a connection open this long resets the backoff
export const PING_EVERY_MS = 5 * 60 * 1000; // the server closes sockets idle for 10 min
export const PONG_TIMEOUT_MS = 30000;       // no pong by then: the socket is dead, reconnect
export const ACK_TIMEOUT_MS = 35000;        // gateway integration timeout (29 s) plus a margin
export const MAX_NOTICES = 4;
export const NEAR_BOTTOM_PX = 48;
export const NAME_KEY = 'parley.name';
// The guest token an anonymous server issued (welcome.guestToken): presented on every connect
// (?guest=) so that a reload or a new visit is the same person, with the same direct messages.
export const GUEST_KEY = 'parley.guest';
export const SESSION_KEY = 'parley.session'; // sessionStorage: the tab's rooms survive a reload
export const GAP_WAIT_MS = 1000;            // a gap not filled by then is fetched with history/after
export const FORWARD_RETRY_MS = 5000;       // a forward history request unanswered this long is resent
export const PAGE_SIZE = 50;                // older pages
export const CATCHUP_LIMIT = 100;           // history/after (the server's maximum)
export const REJOIN_EVERY_MS = 10000;       // not_member on a room we think we are in: rejoin, at most this often

export const NAME_RE = /^[A-Za-z0-9 _.-]+$/;
export const ROOM_RE = /^[A-Za-z0-9_.-]+$/;
