// The Connections table, refreshed by the server's snapshot every second. Post and Disconnect
// call the management API (@connections) as any script would: the page has no power of its own.
import { page } from './page.js';
import { el, ago, short } from './dom.js';

const body = document.getElementById('connections');
const count = document.getElementById('conn-count');
const result = document.getElementById('action-result');
const rows = new Map();  // connectionId -> { tr, cells }

function user(a) {
  if (!a) return '';
  const name = a.name ?? a.username ?? a['cognito:username'] ?? '';
  const id = a.principalId ?? a.sub ?? '';
  return name && id && name !== id ? `${name} (${short(id)})` : String(name || id);
}

function say(text, ok) {
  result.textContent = text;
  result.dataset.ok = ok ? 'true' : 'false';
}

async function call(method, id, body) {
  const url = `/${encodeURIComponent(page.stage)}/@connections/${encodeURIComponent(id)}`;
  try {
    const res = await fetch(url, { method, body });
    if (res.ok) return { ok: true, status: res.status };
    const type = res.headers.get('x-amzn-ErrorType') || '';
    let message = '';
    try { message = (await res.json()).message || ''; } catch { /* no body */ }
    return { ok: false, status: res.status, text: `${res.status} ${type} ${message}`.trim() };
  } catch (e) {
    return { ok: false, status: 0, text: String(e) };
  }
}

function makeRow(id) {
  const input = el('input', { type: 'text', placeholder: 'message', 'aria-label': `Message to ${id}`,
    'data-testid': 'post-input' });
  const post = el('button', { type: 'button', 'data-testid': 'post-button' }, 'Post');
  const drop = el('button', { type: 'button', class: 'danger', 'data-testid': 'disconnect-button' }, 'Disconnect');
  post.addEventListener('click', async () => {
    const r = await call('POST', id, input.value);
    say(r.ok ? `posted to ${id}` : `post to ${id} failed: ${r.text}`, r.ok);
    if (r.ok) input.value = '';
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') post.click(); });
  drop.addEventListener('click', async () => {
    const r = await call('DELETE', id);
    say(r.ok ? `disconnected ${id}` : `disconnect of ${id} failed: ${r.text}`, r.ok);
  });
  const cells = {
    id: el('td', { class: 'mono', title: id }, id),
    ip: el('td'), user: el('td'), rooms: el('td', { 'data-testid': 'conn-rooms' }), since: el('td'), active: el('td'), frames: el('td', { class: 'num' }),
    queued: el('td', { class: 'num' }),
  };
  const tr = el('tr', { 'data-testid': 'conn-row', 'data-id': id },
    cells.id, cells.ip, cells.user, cells.rooms, cells.since, cells.active, cells.frames, cells.queued,
    el('td', { class: 'actions' }, input, post, drop));
  return { tr, cells };
}

export function showConnections(snapshot) {
  const seen = new Set();
  for (const c of snapshot.connections) {
    seen.add(c.connectionId);
    let row = rows.get(c.connectionId);
    if (!row) {
      row = makeRow(c.connectionId);
      rows.set(c.connectionId, row);
      body.append(row.tr);
    }
    row.cells.ip.textContent = c.sourceIp;
    row.cells.ip.title = c.userAgent || '';
    row.cells.user.textContent = [c.name, user(c.authorizer)].filter(Boolean).join(' · ');
    row.cells.rooms.textContent = (c.rooms || []).join(', ');
    row.cells.since.textContent = new Date(c.connectedAt).toLocaleTimeString();
    row.cells.active.textContent = ago(c.lastActiveAt);
    row.cells.frames.textContent = `${c.framesIn} / ${c.framesOut}`;
    row.cells.queued.textContent = String(c.queuedBytes);
  }
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  count.textContent = snapshot.total > snapshot.connections.length
    ? `${snapshot.connections.length} of ${snapshot.total}` : String(snapshot.total);
}

// A $connect that succeeded shows at once, before the next snapshot fills in its counters.
export function connectionSeen(id, sourceIp, at) {
  if (rows.has(id)) return;
  const row = makeRow(id);
  row.cells.ip.textContent = sourceIp || '';
  row.cells.since.textContent = new Date(at).toLocaleTimeString();
  rows.set(id, row);
  body.append(row.tr);
  count.textContent = String(rows.size);
}

export function connectionGone(id) {
  const row = rows.get(id);
  if (!row) return;
  row.tr.remove();
  rows.delete(id);
  count.textContent = String(rows.size);
}
