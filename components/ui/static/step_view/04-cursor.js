// ------------------------------------------------------------------ moving the cursor
// A press: applied at once, or queued while the server is being asked.
function act(v, action) {
  if (!v.data) return;
  if (v.pending) {
    const last = v.queue[v.queue.length - 1];
    if (Array.isArray(action) && Array.isArray(last)) v.queue[v.queue.length - 1] = action;  // newest slider value
    else v.queue.push(action);
    showWait(v);
    return;
  }
  apply(v, action);
  moved_(v, false);
}

function apply(v, action) {
  const d = v.data;
  const [k0, k1] = d.window;
  const j = v.cursor - (k0 - 1);
  let to;
  if (action === 'f') {
    if (d.blocked || v.stopped) return;  // a problem (divergence) holds → until the server has spoken
    to = d.next[j];
    const stop = d.stop_at;
    if (stop !== null && stop !== undefined && v.cursor < stop && stop < to) to = stop;
    if (d.stop_end !== null && d.stop_end !== undefined && v.cursor >= d.stop_end) {  // a lesson's next stop
      return ask(v, 'next_stop', v.cursor);
    }
    if (limited(d) && to > d.limit && to < d.n_events) {  // practice: the question comes first
      if (v.cursor < d.limit) to = d.limit;
      else return askQuestion(v);
    }
    if (to >= d.n_events) return d.ahead ? enterAhead(v) : ask(v, 'next_update', v.cursor);
  } else if (action === 'b') {
    if (v.cursor === -1 && !d.can_back) return;
    to = d.back[j];
    if (to === -2) return ask(v, 'prev_update', v.cursor);
  } else if (action === 'home') {
    to = -1;
  } else if (action === 'end') {
    to = limited(d) ? d.limit : d.n_events - 1;
  } else if (Array.isArray(action)) {
    to = Math.max(-1, Math.min(limited(d) ? d.limit : d.n_events - 1, action[1]));
  } else {
    return;
  }
  if (to < k0 - 1 || to > k1) return ask(v, 'window', to);
  v.cursor = to;
  if (action === 'f' && to === d.stop_at) {  // the first event whose parameter goes non-finite: checked now
    v.stopped = true;
    clearTimeout(v.cursorTimer);
    v.reported = to;
    send(v, { kind: 'cursor', cursor: to });
  }
}

// → past the update's end when the server sent the next update ahead: step into it here, as the server
// would (its first group), and tell the server at once (it follows, and the charts with it).
function enterAhead(v) {
  const a = v.data.ahead;
  v.left = { key: v.key, seq: v.seq };  // payloads still for the update we left are stale now
  v.data = a;
  v.key = a.key;
  v.seq = a.seq;
  buildGraph(v);
  v.tallest = v.titleTallest = v.formulaTallest = 0;
  v.graphMax = Infinity;
  v.drawn.cursor = null;
  v.cursor = a.next[-1 - (a.window[0] - 1)];  // one press from the start (cursor −1)
  clearTimeout(v.cursorTimer);
  v.reported = v.cursor;
  send(v, { kind: 'cursor', cursor: v.cursor });
}

// After the cursor moved (or a payload arrived): draw on the next frame, report later.
function moved_(v, fromServer) {
  if (!v.frame) v.frame = requestAnimationFrame(() => { v.frame = 0; render(v); });
  if (v.data && v.data.graph_only) return;  // play's graph: the server owns the cursor and the link
  clearTimeout(v.cursorTimer);
  if (!fromServer) v.cursorTimer = setTimeout(() => reportCursor(v), DEBOUNCE_CURSOR_MS);
  clearTimeout(v.urlTimer);
  v.urlTimer = setTimeout(() => syncUrl(v), fromServer ? 0 : DEBOUNCE_URL_MS);
  showWait(v);
}

