// The Functions panel (process mode): each function's execution environments (warm, busy),
// its cold starts, throttles and timeouts, and its recent log lines with their request ids.
import { el } from './dom.js';

const panel = document.getElementById('functions-panel');
const box = document.getElementById('functions');

export function showFunctions(data) {
  const list = data.functions || [];
  panel.hidden = list.length === 0;
  box.replaceChildren(...list.map((f) => el('details', { class: 'function', 'data-testid': 'function', 'data-name': f.name, open: '' },
    el('summary', {},
      el('strong', {}, f.name),
      ` · ${f.environments} environment(s), ${f.busy} busy, ${f.environments - f.busy} warm · ` +
      `${f.coldStarts} cold start(s) · ${f.throttles} throttled · ${f.timeouts} timed out · ${f.exits} ended` +
      (f.reserved !== null && f.reserved !== undefined ? ` · reserved ${f.reserved}` : '')),
    el('pre', { class: 'log', 'data-testid': 'function-log' }, (f.log || []).join('\n') || '(no output yet)'))));
}
