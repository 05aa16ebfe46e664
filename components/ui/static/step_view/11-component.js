// ------------------------------------------------------------------ the component
export default function ({ parentElement, data, setStateValue }) {
  let v = parentElement.__bpStepView;
  if (!v) v = parentElement.__bpStepView = createView(parentElement);
  v.setStateValue = setStateValue;
  const plays = data && (Array.isArray(data.frames) || (data.payload && data.payload.graph_only));
  if (!plays) window.__bpStepViewActive = v;  // the keys step this view
  if (data && data.katex && !v.katex && !v.katexFailed && v.katexDir !== data.katex) {
    v.katexDir = data.katex;
    loadKatex(data.katex).then(
      k => { v.katex = k; v.drawn.lines = null; drawLines(v, currentLines(v)); v.drawn.cursor = null; render(v); announce(v); },
      () => { v.katexFailed = true; v.drawn.lines = null; drawLines(v, currentLines(v)); announce(v); },
    );
  }
  if (data && Array.isArray(data.frames)) playFrames(v, data);
  else receive(v, data && data.payload);
  return () => {  // the element leaves the page
    clearTimeout(v.frameTimer);
    clearTimeout(v.cursorTimer);
    clearTimeout(v.giveUpTimer);
    if (window.__bpStepViewActive === v) window.__bpStepViewActive = null;
  };
}

// Play's drawings: a batch of graph-only payloads, drawn `spacing` ms apart. A batch is drawn once
// (a rerun that sends it again changes nothing); a new batch replaces what is left of the last.
function playFrames(v, data) {
  if (data.batch === v.batch) return;
  v.batch = data.batch;
  clearTimeout(v.frameTimer);
  const frames = data.frames, spacing = Math.max(0, Number(data.spacing) || 0);
  const show = i => {
    receive(v, frames[i]);
    if (i + 1 < frames.length) v.frameTimer = setTimeout(() => show(i + 1), spacing);
  };
  if (frames.length) show(0);
}

function currentLines(v) {
  const d = v.data;
  if (!d) return [];
  const c = v.drawn.cursor ?? v.cursor;
  return c >= 0 ? d.events[c - d.window[0]].lines : d.start.lines;
}
