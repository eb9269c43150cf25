// The Traffic charts: one inline SVG per series set, redrawn from the server's samples (one a
// second, the same counters as /metrics; the last five minutes). No library: a polyline per
// series over a fixed time axis.
import { el } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 80;
const KEEP = 300;

const charts = [
  { id: 'connections', title: 'Connections', unit: '', series: [['connections', (s) => s.connections]] },
  { id: 'messages', title: 'Messages / s', unit: '/s',
    series: [['in', (s) => s.messagesIn], ['out', (s) => s.messagesOut]] },
  { id: 'handler', title: 'Handler latency (ms)', unit: ' ms',
    series: [['p50', (s) => s.handlerMs?.p50], ['p99', (s) => s.handlerMs?.p99]] },
  { id: 'store', title: 'Store latency (ms)', unit: ' ms',
    series: [['p50', (s) => s.storeMs?.p50], ['p99', (s) => s.storeMs?.p99]] },
];

let samples = [];
const container = document.getElementById('charts');

function svg(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

for (const c of charts) {
  c.svg = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'chart-svg',
    role: 'img', 'aria-label': c.title });
  c.lines = c.series.map((_, i) => {
    const line = svg('polyline', { class: `series s${i}`, points: '' });
    c.svg.append(line);
    return line;
  });
  c.legend = el('div', { class: 'legend' });
  c.figure = el('figure', { class: 'chart', 'data-testid': `chart-${c.id}` },
    el('figcaption', {}, c.title), c.svg, c.legend);
  container.append(c.figure);
}

function fmt(v) {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function draw() {
  if (samples.length === 0) return;
  // The axis spans what there is (at least a minute, at most five): a page opened a moment
  // ago does not squeeze its first samples into the right edge.
  const end = samples[samples.length - 1].at;
  const span = Math.min(KEEP * 1000, Math.max(60_000, end - samples[0].at));
  const start = end - span;
  for (const c of charts) {
    let max = 0;
    for (const s of samples) for (const [, get] of c.series) max = Math.max(max, get(s) ?? 0);
    const top = max > 0 ? max * 1.15 : 1;
    c.series.forEach(([, get], i) => {
      const pts = [];
      for (const s of samples) {
        const v = get(s);
        if (v === null || v === undefined) continue;
        if (s.at < start) continue;
        const x = ((s.at - start) / span) * W;
        const y = H - (v / top) * (H - 4) - 2;
        pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      }
      c.lines[i].setAttribute('points', pts.join(' '));
    });
    const last = samples[samples.length - 1];
    c.figure.dataset.last = c.series.map(([, get]) => fmt(get(last))).join(' ');
    c.figure.dataset.max = String(max);
    c.legend.replaceChildren(...c.series.map(([name, get], i) =>
      el('span', { class: `key s${i}` }, `${name} ${fmt(get(last))}${c.unit}`)),
    el('span', { class: 'muted' }, ` max ${fmt(max)}`));
  }
}

export function addSample(s) {
  samples.push(s);
  if (samples.length > KEEP) samples = samples.slice(-KEEP);
  draw();
}

export function resetCharts() {
  samples = [];
}
