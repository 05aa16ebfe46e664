// ------------------------------------------------------------------ asking the server
function send(v, report) {
  if (!v.setStateValue) return;
  v.n = Math.max(v.n + 1, Date.now());
  v.setStateValue('report', { ...report, key: v.data.key, seq: v.data.seq, n: v.n });
}

function reportCursor(v) {
  if (v.pending || !v.data || v.cursor === v.reported) return;
  v.reported = v.cursor;
  send(v, { kind: 'cursor', cursor: v.cursor });
}

function ask(v, kind, cursor) {
  clearTimeout(v.cursorTimer);
  v.pending = { kind, target: cursor, since: performance.now() };
  send(v, { kind, cursor });
  showWait(v);
  clearTimeout(v.giveUpTimer);
  v.giveUpTimer = setTimeout(() => {  // no answer: stop queueing (the presses made meanwhile are dropped)
    v.pending = null;
    v.queue = [];
    showWait(v);
  }, PENDING_GIVE_UP_MS);
}

function select(v, layer, i) {
  if (layer < 0 || i < 0 || v.data.graph_only) return;
  clearTimeout(v.cursorTimer);  // the report carries the cursor too
  v.reported = v.cursor;
  send(v, { kind: 'select', node: [layer, i], cursor: v.cursor });
}

function selectTarget(v, target) {
  if (v.data.graph_only) return;
  clearTimeout(v.cursorTimer);
  v.reported = v.cursor;
  send(v, { kind: 'select', node: [target[1], target[2]], target, cursor: v.cursor });
}

function showWait(v) {
  const waiting = !!v.pending;
  v.wait.textContent = waiting ? (v.queue.length ? `… +${v.queue.length}` : '…') : '';
  v.wait.title = waiting ? 'Asking the server; presses made meanwhile are kept' : '';
}

// The address bar's k (and u) follow the browser's cursor; other parameters stay as they are.
function syncUrl(v) {
  if (!v.data || !v.root.isConnected) return;
  const url = new URL(window.location.href);
  const q = url.searchParams;
  if (v.cursor >= 0) q.set('k', String(v.cursor)); else q.delete('k');
  if (Number(q.get('u') || 0) !== v.data.update) {
    if (v.data.update > 0) q.set('u', String(v.data.update)); else q.delete('u');
  }
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url.href);
}

