// ------------------------------------------------------------------ a new payload
function receive(v, data) {
  if (!data || data.v !== 1 || !data.graph) {
    v.progress.textContent = 'The step view received a payload it cannot read.';
    return;
  }
  if (v.left) {  // we stepped into the update sent ahead; until the server follows, it may still send the old one
    if (data.key === v.left.key && data.seq === v.left.seq) return;
    v.left = null;
  }
  const old = v.data;
  const fresh = data.key !== v.key;
  const moved = !fresh && data.seq !== v.seq;
  const rewindowed = !fresh && !moved && (data.window[0] !== old.window[0] || data.window[1] !== old.window[1]);
  v.stopped = false;  // any answer from the server lifts a stop at stop_at (blocked says whether → may go on)
  // The newest payload is the one to step on (a new step size changes next and back, a problem blocked) …
  if (!fresh && !moved && !rewindowed) {  // … but the server only re-sends: keep our cursor, draw nothing
    v.data = data;                           // (but practice's question box, the paths, the flags)
    v.quiz.waiting = false;
    drawQuiz(v, v.cursor);
    if (v.g && !data.graph_only) drawOverlays(v);
    return;
  }
  v.quiz.waiting = false;
  const asked = v.pending;
  v.data = data;
  v.key = data.key;
  v.seq = data.seq;
  v.wrap.classList.toggle('bp-sv-graph-only', !!data.graph_only);
  if (fresh) {
    if (data.graph_only && v.g && geometryKey(data.graph) === v.geometry) reuseGraph(v);
    else buildGraph(v);
    v.tallest = v.titleTallest = v.formulaTallest = 0;  // a new update (or other settings) may be shorter
    v.graphMax = Infinity;
  }
  v.drawn.cursor = null;  // draw again (only what differs changes)
  if (fresh || moved) {
    v.cursor = data.cursor;  // the server moved the cursor (new update, jump, restore)
    v.reported = data.cursor;
  } else if (asked && asked.kind === 'window') {
    v.cursor = asked.target;  // the window around the cursor we asked for
  }
  const [k0, k1] = data.window;
  v.cursor = Math.max(k0 - 1, Math.min(k1, v.cursor));
  v.wrap.classList.toggle('bp-sv-present', !!data.presentation);
  // Any new payload answers the pending request; the presses made meanwhile apply to it now.
  v.pending = null;
  clearTimeout(v.giveUpTimer);
  while (v.queue.length && !v.pending) apply(v, v.queue.shift());
  moved_(v, fresh || moved);
  if (!v.announced && !data.graph_only) {  // the first page: once drawn, say where we are (then come the charts)
    v.announced = 'due';
    announce(v);
  }
}

// The first report brings the run that adds the charts (and their plotly.js, a long task): it waits until the
// formula is drawn with KaTeX (or KaTeX failed), painted, and the browser is idle, so the step shows first.
function announce(v) {
  if (v.announced !== 'due' || (v.katexDir && !v.katex && !v.katexFailed)) return;
  v.announced = true;
  v.reported = NaN;
  const idle = window.requestIdleCallback || (f => setTimeout(f, 50));
  requestAnimationFrame(() => requestAnimationFrame(() => idle(() => reportCursor(v), { timeout: 400 })));
}

