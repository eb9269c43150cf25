/*
 * The client's ordering rules (protocol.md, *Ordering and catch-up*). No DOM: unit tested under
 * Node (test/web/browser.test.mjs) and fed real frames by test/integration/put_faults.test.mjs.
 */

/**
 * The ordering rules of protocol.md for one conversation. `last` is the highest seq shown;
 * messages past a gap are held until the gap is filled. live() and history() return the
 * messages to show now, in order, each exactly once. The first history page a conversation
 * gets (the newest messages) is its starting point; after that, history pages are applied
 * like live messages (rule 1 for contiguous pages, rule 4 if a page does not join up).
 */
export class Sequencer {
  constructor() {
    this.last = 0;          // highest seq shown
    this.known = 0;         // highest seq known to exist (messages, acks, lastSeq)
    this.started = false;   // a first history page has been applied
    this.held = new Map();  // seq -> message, waiting for the gap before it
  }

  /** Rules 2–4: a live message. */
  live(m) {
    if (!m || typeof m.seq !== 'number' || m.seq <= this.last) return [];
    this.note(m.seq);
    this.held.set(m.seq, m);
    return this.started ? this.drain() : [];
  }

  /**
   * Rule 1: a forward history page (oldest first), with the room's lastSeq when read and its
   * hasMore. A page holds every message stored from where it starts (at or below `last`) up
   * to its highest seq: a seq it passes without a message stays empty for good (DynamoDB
   * seals it), so `last` moves to the page's highest seq whatever it skipped. Seqs above
   * that up to lastSeq were not stored when it was read: in flight (they come live) or
   * failed (the next message's gap rule passes them) — not a reason to ask again, unless the
   * page was cut by its limit.
   */
  history(messages, lastSeq, hasMore) {
    const list = (messages || []).filter((m) => m && typeof m.seq === 'number')
      .sort((a, b) => a.seq - b.seq);
    if (!this.started) {
      this.started = true;
      if (list.length && list[0].seq - 1 > this.last) this.last = list[0].seq - 1;
    }
    for (const m of list) {
      if (m.seq > this.last) this.held.set(m.seq, m);
    }
    const out = [];
    const top = list.length ? list[list.length - 1].seq : this.last;
    if (top > this.last) {
      for (const seq of [...this.held.keys()].filter((k) => k <= top).sort((a, b) => a - b)) {
        if (seq > this.last) out.push(this.held.get(seq));
        this.held.delete(seq);
      }
      this.last = top;
    }
    out.push(...this.drain());
    if (typeof lastSeq === 'number') {
      const cut = hasMore === true && top < lastSeq;
      if (cut) this.note(lastSeq);
      else if (this.known <= lastSeq) this.known = this.last;
    }
    return out;
  }

  /** A seq that exists (an ack, joined.lastSeq): if it is not shown yet, that is a gap. */
  note(seq) {
    if (typeof seq === 'number' && seq > this.known) this.known = seq;
  }

  drain() {
    const out = [];
    for (const seq of [...this.held.keys()]) {
      if (seq <= this.last) this.held.delete(seq);
    }
    while (this.held.has(this.last + 1)) {
      const m = this.held.get(this.last + 1);
      this.held.delete(this.last + 1);
      this.last += 1;
      out.push(m);
    }
    return out;
  }

  /** Messages are missing: held ones wait for a gap, or a known seq is not shown. */
  get gap() {
    return this.held.size > 0 || this.known > this.last;
  }
}
