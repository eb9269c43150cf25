// The checker of the fault-injection suite (fault_injection.test.mjs): what every simulated user showed
// (fault_actor.mjs, docs/protocol.md's rules) against each room's stored history, read at the end
// by a fresh client (a dm pair's: by one of its two parties). Violations, by kind:
//   acked-not-stored  an ack whose (room, seq, id) is not in the history
//   duplicate         a user showed a message (seq or id) twice in a room
//   out-of-order      a user showed a seq after a higher one
//   not-stored        a user showed a message the history does not hold at that seq
//   skipped           a stored message between two a user showed, never shown (every join
//                     and reconnect carries `since`, so nothing may be left out)
//   stale             a user still in the room at the end never reached the final marker
//   own-order         two messages of one connection stored in the other order than it sent
//                     them (every attempt of the first sent before any attempt of the second)
//   foreign-room      a message of a room the connection never joined, or a dm of a pair its
//                     identity (the welcome's userId) is not part of
//   missed-live       a message stored after a connection's join (seq above the lastSeq of the
//                     join's history, so not in it) that did not reach it live,
//                     though later ones did: the joiner missed it both ways (issue 15 item 3).
//                     Only messages acked a second before the connection closed or left
//                     (FAN_OUT_MS), and not those stored by a failed attempt and acked
//                     only as a duplicate (no live copy then; protocol.md)
//   failed-but-joined a connection whose join was answered an error and never `joined`
//                     receives the room's messages: the join took effect
//   failed-but-stored a message whose every attempt was answered `error` `internal` and which
//                     is stored all the same (protocol.md: no effect unless an ack came)
// A violation carries the user and room; trace() trims the run's operations and faults to them.

// `stalled`: the URLs of nodes stopped by SIGSTOP; posts to them may time out and be lost
// (rule 4 recovers them), so missed-live is not asked of their connections. `killed`: nodes
// killed with kill -9, and with `stalled` the nodes whose senders may have stopped half way
// through a fan-out: missed-live does not count their connections' messages.
export function check({ actors, histories, markers, stalled = new Set(), killed = new Set() }) {
  const violations = [];
  const v = (kind, user, room, detail, seqs = [], conn = undefined, texts = []) => violations.push({ kind, user, room, detail, seqs, conn, texts });
  const stored = new Map();  // room -> Map(seq -> message)
  for (const [room, msgs] of histories) stored.set(room, new Map(msgs.map((m) => [m.seq, m])));

  const halfFanned = new Set();  // connection ids on a node killed or stopped
  for (const a of actors) for (const c of a.conns) if (killed.has(c.url) || stalled.has(c.url)) halfFanned.add(c.id);
  const neverFanned = storedByFailedAttempt(actors);
  const ackedAt = firstAcks(actors);
  for (const a of actors) {
    for (const c of a.conns) {
      for (const ack of c.acks) {
        // A pair's history is read by one of its parties (fault_run.mjs, dmHistories).
        const m = stored.get(ack.room)?.get(ack.seq);
        if (!m || m.id !== ack.id) v('acked-not-stored', a.name, ack.room, `ack seq ${ack.seq} id ${ack.id} (${ack.clientMsgId ?? 'no clientMsgId'}); history has ${m ? m.id : 'nothing'} there`, [ack.seq]);
      }
      ownOrder(a, c, stored, v);
      if (!stalled.has(c.url)) missedLive(a, c, stored, v, { halfFanned, neverFanned, ackedAt });
      const joinFailed = new Set();
      for (const f of c.client.frames) {
        const m = f.json;
        if (!m || (m.type !== 'message' && m.type !== 'dm')) continue;
        if (m.type === 'dm' || isDm(m.room)) {
          const pair = dmParties(m.room);
          if (!pair.includes(c.userId)) v('foreign-room', a.name, m.room, `connection ${c.id} (${c.name}, user ${c.userId}) got a dm of ${m.room}`);
        } else if (!c.ever.has(m.room) && c.asked.has(m.room)) {
          joinFailed.add(m.room);
        } else if (!c.ever.has(m.room)) {
          v('foreign-room', a.name, m.room, `connection ${c.id} got message seq ${m.seq} of a room it never asked to join`, [m.seq]);
        }
      }
      const joinErrors = c.client.messages.filter((m) => m.type === 'error' && m.action === 'join').map((m) => m.code);
      // Only gateway timeouts: the outcome is unknown (the handler runs on; its `joined` may
      // come after the end), so only a join refused with an error counts.
      if (joinErrors.length) for (const room of joinFailed) v('failed-but-joined', a.name, room, `connection ${c.id} asked to join, never got \`joined\`, got join errors ${joinErrors.join(', ')}, yet gets the room's messages`, [], c.id);
    }
    failedButStored(a, stored, v);
    for (const room of new Set(a.followers.map((x) => x.room))) {
      const shown = a.shown(room);
      const inRoom = stored.get(room) ?? new Map();
      const ids = new Set();
      let prev = 0;
      for (const m of shown) {
        if (m.seq === prev || ids.has(m.id)) v('duplicate', a.name, room, `seq ${m.seq} (${m.text}) shown twice`, [m.seq]);
        else if (m.seq < prev) v('out-of-order', a.name, room, `seq ${m.seq} shown after ${prev}`, [m.seq, prev]);
        ids.add(m.id);
        const s = inRoom.get(m.seq);
        if (!s || s.id !== m.id || s.text !== m.text) v('not-stored', a.name, room, `showed seq ${m.seq} "${m.text}"; history has ${s ? `"${s.text}"` : 'nothing'}`, [m.seq], undefined, [m.text]);
        prev = Math.max(prev, m.seq);
      }
      const seen = new Set(shown.map((m) => m.seq));
      const missed = [...inRoom.keys()].filter((s) => s <= prev && !seen.has(s)).sort((x, y) => x - y);
      if (missed.length) v('skipped', a.name, room, `stored seqs never shown: ${missed.slice(0, 12).join(', ')}${missed.length > 12 ? ', ...' : ''}`, missed.slice(0, 3));
      const marker = markers.get(room);
      if (marker && a.conn && a.conn.rooms.has(room) && a.current.get(room) && prev < marker) {
        const f = a.current.get(room);
        const refused = a.conn.client.messages.filter((m) => m.type === 'error' && m.action === 'history').map((m) => m.code);
        // What the last history requests got back, and the connection's last frames: why it stays.
        const pages = f.histories.slice(-4).map((h) => `{n ${h.messages?.length}, first ${h.messages?.[0]?.seq}, lastSeq ${h.lastSeq}, hasMore ${h.hasMore}}`);
        const tail = a.conn.client.frames.slice(-6).map((x) => `${x.json?.type ?? 'gateway'}${x.json?.room ? ` ${x.json.room}` : ''}${x.json?.seq ? ` ${x.json.seq}` : ''}${x.json?.message && !x.json?.type ? ` "${x.json.message}"` : ''}`);
        v('stale', a.name, room, `at ${prev} (follower last ${f.last}) on ${a.conn.url}, the room's final marker is seq ${marker}; kept ${JSON.stringify([...f.kept.keys()].slice(0, 8))}, ${f.historyRequests} history requests, ${refused.length} refused (${[...new Set(refused)].join(', ')}); last pages ${pages.join(' ')}; last frames: ${tail.join(' | ')}`, [prev + 1]);
      }
    }
  }
  return violations;
}

// Per connection and room: from each `joined` (or welcome) to its `left` or the end, the stored
// seqs above the lastSeq of the join's own history (the first after it: it holds everything up
// to there) and below the highest seq that arrived live must all have arrived live.
// A seq is allocated before its message is stored and fanned out, so a lower seq can be fanned
// out after a higher one: only a message whose ack reached its sender FAN_OUT_MS before the
// window ended (the connection's close or `left`) must have arrived (the fan-out follows the ack
// at once); one whose ack never came, or came later, may have gone out after the close.
const FAN_OUT_MS = 1000;
function missedLive(actor, c, stored, v, { halfFanned, neverFanned, ackedAt }) {
  const open = new Map();  // room -> {from: lastSeq at the join, live: Set}
  const closedAt = c.closingAt ?? c.client.closeInfo?.at ?? Infinity;
  // A leave takes effect when its handler deletes the member row, which is before its `left`
  // comes (presence is announced first, slow under faults) and may be long after the gateway
  // answered it `Endpoint request timed out` (then `left` never comes): messages fanned out
  // after the leave was sent may rightly miss the connection. So a window ends, at the latest,
  // when the first leave of its room sent after the join that opened it was sent.
  const ops = c.roomOps ?? [];
  const leaveSent = (room, opened) => {
    const join = ops.filter((o) => o.op === 'join' && o.room === room && o.at <= opened).at(-1);
    const leave = ops.find((o) => o.op === 'leave' && o.room === room && o.at >= (join?.at ?? -Infinity));
    return leave?.at ?? Infinity;
  };
  const close = (room, end = closedAt) => {
    const x = open.get(room);
    open.delete(room);
    if (x) end = Math.min(end, leaveSent(room, x.opened));
    if (!x || x.from === null || x.live.size === 0) return;
    const top = Math.max(...x.live);
    const missed = [...(stored.get(room)?.values() ?? [])].filter((m) => m.seq > x.from && m.seq < top && !x.live.has(m.seq) &&
      !halfFanned.has(m.connectionId) && !neverFanned.has(`${room}\n${m.seq}`) &&
      (ackedAt.get(`${room}\n${m.seq}`) ?? Infinity) < end - FAN_OUT_MS).map((m) => m.seq);
    if (missed.length) v('missed-live', actor.name, room, `connection ${c.id} joined (its history up to ${x.from}), got ${top} live but never seq ${missed.slice(0, 8).join(', ')} (live or in the join's history)`, missed.slice(0, 3));
  };
  // $connect made the connection a member of its home room before the 101, so a message can be
  // fanned out to it before the welcome (the hello read its history first, the welcome was
  // posted after the message): those frames arrived live, and count for the welcome's rooms.
  const early = new Map();  // room -> seqs that arrived before the welcome
  let welcomed = false;
  for (const f of c.client.frames) {
    const m = f.json;
    if (!m) continue;
    if (!welcomed && m.type === 'message') {
      if (!early.has(m.room)) early.set(m.room, new Set());
      early.get(m.room).add(m.seq);
    }
    if (m.type === 'welcome' && !welcomed) {  // a second hello's answer changes nothing
      welcomed = true;
      for (const r of m.rooms ?? []) open.set(r, { from: null, live: new Set(early.get(r) ?? []), opened: f.at ?? 0 });
    }
    else if (m.type === 'joined') { close(m.room); open.set(m.room, { from: null, live: new Set(), opened: f.at ?? 0 }); }
    else if (m.type === 'history' && open.get(m.room)?.from === null) open.get(m.room).from = m.lastSeq;
    else if (m.type === 'left') close(m.room, f.at ?? closedAt);
    else if (m.type === 'message' && open.has(m.room)) open.get(m.room).live.add(m.seq);
  }
  for (const room of [...open.keys()]) close(room);
}

// When each stored message's first ack reached its sender: "room\nseq" -> epoch ms.
function firstAcks(actors) {
  const out = new Map();
  for (const a of actors) {
    for (const c of a.conns) {
      for (const x of c.acks) {
        const key = `${x.room}\n${x.seq}`;
        out.set(key, Math.min(out.get(key) ?? Infinity, x.at));
      }
    }
  }
  return out;
}

// The messages stored by an attempt that failed (its store answer was lost: the sender got
// `error`) and acked only to a retry, as a `duplicate`: protocol.md (*What holds*, "A retry
// that finds its message stored") sends no live copy then, so members get them by gap-fill
// or history only, and missed-live does not ask for them. "room\nseq" keys.
function storedByFailedAttempt(actors) {
  const out = new Set();
  for (const a of actors) {
    for (const c of a.conns) {
      const failed = new Set(c.client.messages.filter((m) => m.type === 'error' && m.clientMsgId).map((m) => m.clientMsgId));
      const acks = groupBy(c.acks.filter((x) => x.clientMsgId), 'clientMsgId');
      for (const [id, list] of acks) {
        if (failed.has(id) && list.every((x) => x.duplicate)) out.add(`${list[0].room}\n${list[0].seq}`);
      }
    }
  }
  return out;
}

// Messages all of whose attempts were refused with `internal` must not be stored.
export function failedButStored(actor, stored, v) {
  const outcome = new Map();  // text -> {room, refused: n, other: n}
  // Only sends with a clientMsgId: their answers are told apart exactly.
  const keyed = new Set(actor.trace.filter((e) => e.user === actor.name && e.op === 'send' && e.clientMsgId).map((e) => e.text));
  for (const e of actor.trace) {
    if (e.user !== actor.name || e.op !== 'send-answer' || !keyed.has(e.text)) continue;
    const x = outcome.get(e.text) ?? { room: e.room, refused: 0, other: 0 };
    if (e.code === 'internal') x.refused += 1; else x.other += 1;
    outcome.set(e.text, x);
  }
  const texts = new Map();
  for (const [room, msgs] of stored) for (const m of msgs.values()) texts.set(`${room}\n${m.text}`, m.seq);
  for (const [text, x] of outcome) {
    const seq = texts.get(`${x.room}\n${text}`);
    if (x.other === 0 && seq !== undefined) v('failed-but-stored', actor.name, x.room, `"${text}": every attempt answered error internal (${x.refused}), yet stored at seq ${seq}`, [seq]);
  }
}

// Per connection: for messages A and B it sent and the store holds (from that connection),
// where every attempt of A went out before the first attempt of B, A's seq must be lower.
function ownOrder(actor, c, stored, v) {
  const attempts = new Map();  // text -> {first, last}
  for (const s of c.sends) {
    const x = attempts.get(s.text) ?? { first: s.order, last: s.order, room: s.room };
    x.last = s.order;
    attempts.set(s.text, x);
  }
  const mine = [];
  for (const [text, x] of attempts) {
    for (const m of stored.get(x.room)?.values() ?? []) {
      if (m.text === text && m.connectionId === c.id) mine.push({ ...x, seq: m.seq, text });
    }
  }
  const byRoom = Map.groupBy ? Map.groupBy(mine, (m) => m.room) : groupBy(mine);
  for (const [room, list] of byRoom) {
    list.sort((p, q) => p.first - q.first);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [p, q] = [list[i], list[j]];
        if (p.last < q.first && p.seq > q.seq) {
          v('own-order', actor.name, room, `connection ${c.id} sent "${p.text}" (frame ${p.first}) before "${q.text}" (frame ${q.first}), stored at seq ${p.seq} > ${q.seq}`, [p.seq, q.seq]);
        }
      }
    }
  }
}

function groupBy(list, key = 'room') {
  const out = new Map();
  for (const m of list) out.set(m[key], [...(out.get(m[key]) ?? []), m]);
  return out;
}

// A dm's room: `dmu:<a>:<b>`, the two parties' user ids (`:` and `%` percent-escaped; protocol.md).
export const isDm = (room) => String(room).startsWith('dmu:');
export const dmParties = (room) => (isDm(room) ? String(room).slice(4).split(':').map(decodeURIComponent) : []);

// The violations grouped by kind, with the count of each: {kind: n}.
export const byKind = (violations) => violations.reduce((o, x) => ({ ...o, [x.kind]: (o[x.kind] ?? 0) + 1 }), {});

// The minimal trace of a violation: around the messages it names (their sends, answers and
// showing, and whatever happened from 0.5 s before the first to 0.5 s after it; or, naming none, the
// end of its user's operations), the operations of its user and of everyone in its room, and
// the faults injected meanwhile; at most `max` lines.
export function trace(violation, ops, faults, histories, max = 40) {
  const byRoom = histories.get(violation.room) ?? [];
  // The stored texts at its seqs, and those it names itself (a message shown but not stored).
  const texts = new Set([...byRoom.filter((m) => violation.seqs.includes(m.seq)).map((m) => m.text), ...(violation.texts ?? [])]);
  const inRoom = (e) => e.user === violation.user || e.room === violation.room || e.to === violation.user;
  const named = ops.filter((e) => texts.has(e.text) || (e.room === violation.room && violation.seqs.includes(e.seq)) ||
    (violation.conn && e.conn === violation.conn && (e.room === violation.room || e.op === 'gateway')));
  const mine = ops.filter((e) => e.user === violation.user);
  const from = (named[0] ?? mine.at(-max) ?? ops[0] ?? { t: 0 }).t - 500;
  const to = (named[0] ?? mine.at(-1) ?? ops.at(-1) ?? { t: 0 }).t + 500;
  // Every line naming its messages (their late answers too), and the rest within the window.
  const lines = [...ops.filter((e) => named.includes(e) || (inRoom(e) && e.t >= from && e.t <= to)),
    ...faults.filter((f) => f.t >= from && f.t <= to).map((f) => ({ ...f, op: `FAULT ${f.what}` }))]
    .sort((a, b) => a.t - b.t);
  const t0 = lines[0]?.t ?? 0;
  // Too long: keep what surrounds the first line naming a message of the violation.
  const first = Math.max(0, lines.findIndex((e) => named.includes(e)));
  const start = lines.length <= max ? 0 : Math.min(Math.max(0, first - Math.floor(max / 3)), lines.length - max);
  const kept = lines.filter((e, i) => (i >= start && i < start + max) || named.includes(e));
  return kept.map((e) => {
    const { t, user, op, what, ...rest } = e;
    const mark = named.includes(e) ? '*' : ' ';
    return `  ${mark}+${String(t - t0).padStart(6)} ms ${String(user ?? '').padEnd(5)} ${op}${what ? '' : ` ${JSON.stringify(rest)}`}`;
  }).join('\n');
}
