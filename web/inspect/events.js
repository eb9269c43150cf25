// The Events panel: every invocation the gateway routed while a page was open (the server
// keeps the last --inspect-events for pages opened later), newest first, filterable; failures
// highlighted with what the client saw. A click shows the event the function received and
// its answer.
import { el, short, pretty } from './dom.js';
import { connectionSeen, connectionGone } from './connections.js';

const body = document.getElementById('events');
const count = document.getElementById('event-count');
const detail = document.getElementById('detail');
const filter = document.getElementById('filter');
const failedOnly = document.getElementById('failed-only');
const clear = document.getElementById('clear');

const MAX_ROWS = 2000;  // the DOM's own bound, whatever the server keeps
const seen = new Set();  // seq numbers: a reconnect's replay may repeat some
let selected = null;

function matches(ev, tr) {
  if (failedOnly.checked && !ev.failed) return false;
  const q = filter.value.trim().toLowerCase();
  if (!q) return true;
  return tr.dataset.text.includes(q);
}

function applyFilter() {
  for (const tr of body.children) tr.hidden = !matches(tr.ev, tr);
}

function show(ev, tr) {
  if (selected) selected.classList.remove('selected');
  selected = tr;
  tr.classList.add('selected');
  const parts = [
    el('h3', {}, `${ev.routeKey} · ${ev.status}${ev.statusCode === undefined ? ''
      : ev.status === 'timeout' ? ` (the function answered ${ev.statusCode}, too late)` : ` ${ev.statusCode}`}`),
    el('p', { class: 'muted' }, `connection ${ev.connectionId} · request ${ev.requestId} · ` +
      `${ev.durationMs.toFixed(1)} ms · ${new Date(ev.at).toISOString()}`),
  ];
  if (ev.function) {
    parts.push(el('p', {}, `function ${ev.function}, environment ${ev.environment}` +
      ` (${ev.coldStart ? 'cold start' : 'warm'})`));
  }
  if (ev.failed) {
    parts.push(el('p', { class: 'failure', 'data-testid': 'detail-failure' },
      `Failed${ev.error ? `: ${ev.error}` : ''}${ev.outcome ? ` — the client saw: ${ev.outcome}` : ''}`));
  } else if (ev.outcome) {
    parts.push(el('p', {}, `The client saw: ${ev.outcome}`));
  }
  parts.push(el('h4', {}, 'Event (as the function received it)'));
  parts.push(el('pre', { 'data-testid': 'detail-event' }, pretty(ev.event ?? '')));
  if (ev.eventBytes) parts.push(el('p', { class: 'muted' }, `cut at ${ev.event.length} of ${ev.eventBytes} bytes`));
  if (ev.response !== undefined) {
    parts.push(el('h4', {}, 'Response'));
    parts.push(el('pre', { 'data-testid': 'detail-response' }, pretty(ev.response)));
  }
  detail.replaceChildren(...parts);
}

export function resetEvents() {
  body.replaceChildren();
  seen.clear();
  selected = null;
  count.textContent = '0';
}

export function addEvent(ev) {
  if (seen.has(ev.seq)) return;
  seen.add(ev.seq);
  if (ev.routeKey === '$connect' && !ev.failed) {
    let ip = '';
    try { ip = JSON.parse(ev.event).requestContext.identity.sourceIp; } catch { /* cut or hidden */ }
    connectionSeen(ev.connectionId, ip, ev.at);
  }
  if (ev.routeKey === '$disconnect') connectionGone(ev.connectionId);
  const fn = ev.function ? `${ev.function} #${ev.environment}${ev.coldStart ? ' cold' : ''}` : '';
  const tr = el('tr', {
    'data-testid': 'event-row', 'data-route': ev.routeKey, 'data-status': ev.status,
    'data-failed': ev.failed ? 'true' : 'false', 'data-connection': ev.connectionId, class: ev.failed ? 'failed' : '',
  },
  el('td', {}, new Date(ev.at).toLocaleTimeString()),
  el('td', { class: 'mono' }, ev.routeKey),
  el('td', { class: 'mono', title: ev.connectionId }, short(ev.connectionId)),
  el('td', { class: 'mono', title: ev.requestId }, short(ev.requestId)),
  el('td', {}, ev.status === 'ok' ? String(ev.statusCode) : ev.status),
  el('td', { class: 'num' }, ev.durationMs.toFixed(1)),
  el('td', {}, fn),
  el('td', { 'data-testid': 'event-outcome' }, ev.outcome || ''));
  tr.ev = ev;
  tr.dataset.text = [ev.routeKey, ev.connectionId, ev.requestId, ev.status, ev.outcome, ev.error, ev.function,
    ev.event, ev.response].filter(Boolean).join(' ').toLowerCase();
  tr.addEventListener('click', () => show(ev, tr));
  tr.hidden = !matches(ev, tr);
  body.prepend(tr);
  while (body.children.length > MAX_ROWS) {
    const last = body.lastElementChild;
    seen.delete(last.ev.seq);
    last.remove();
  }
  count.textContent = String(body.children.length);
}

filter.addEventListener('input', applyFilter);
failedOnly.addEventListener('change', applyFilter);
clear.addEventListener('click', () => {
  body.replaceChildren();
  count.textContent = '0';
  detail.replaceChildren(el('p', { class: 'muted' }, 'Cleared.'));
});
