// The inspector page: one EventSource on /inspect/stream (server-sent events), each message
// handed to the panel that shows it. The server bounds what waits for this page; when it had
// to drop messages it says how many ("dropped"), and this page says so too.
import { showConnections } from './connections.js';
import { addEvent, resetEvents } from './events.js';
import { addSample, resetCharts } from './charts.js';
import { showFunctions } from './functions.js';
import { page } from './page.js';

const status = document.getElementById('status');
const settings = document.getElementById('settings');
const notice = document.getElementById('notice');
let droppedTotal = 0;

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function parse(e) {
  try {
    return JSON.parse(e.data);
  } catch {
    return null;
  }
}


function connect() {
  const source = new EventSource('/inspect/stream');
  source.addEventListener('open', () => setStatus('live', 'live'));
  source.addEventListener('error', () => {
    // EventSource retries by itself (the server asks for 2 s); a 403 closes it for good.
    setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting',
      source.readyState === EventSource.CLOSED ? 'disconnected (reload to retry)' : 'reconnecting…');
  });
  source.addEventListener('hello', (e) => {
    const h = parse(e);
    if (!h) return;
    page.stage = h.stage || page.stage;
    page.payloads = !!h.payloads;
    settings.textContent = `keeps ${h.events} events · payloads ${h.payloads ? 'shown' : 'hidden'}`;
    settings.dataset.payloads = h.payloads ? 'on' : 'off';
    // A new stream replays the recent events and the traffic history from scratch.
    resetEvents();
    resetCharts();
  });
  // Each kind of message to the panel that shows it.
  const panels = { invocation: addEvent, traffic: addSample, connections: showConnections, functions: showFunctions };
  for (const [type, show] of Object.entries(panels)) {
    source.addEventListener(type, (e) => {
      const data = parse(e);
      if (data) show(data);
    });
  }
  source.addEventListener('dropped', (e) => {
    const d = parse(e);
    if (!d) return;
    droppedTotal += d.dropped;
    notice.hidden = false;
    notice.dataset.dropped = String(droppedTotal);
    notice.textContent = `This page fell behind: the server dropped ${droppedTotal} update(s) for it ` +
      '(the events list may have gaps; tables and charts refresh every second).';
  });
}

connect();
