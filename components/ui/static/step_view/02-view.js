// ------------------------------------------------------------------ the view of one element
function createView(root) {
  const v = {
    root, data: null, key: null, seq: null, katexDir: null, katex: null, katexFailed: false,
    cursor: -1,            // the browser's cursor, moved by every press at once
    reported: -1,          // the cursor the server last knew (adopted or reported)
    pending: null,         // {kind, target, since}: a request the server has not answered yet
    left: null,            // {key, seq} of the update left for the one sent ahead, until the server follows
    queue: [],             // presses made while a request is pending, replayed on its answer
    n: 0,                  // report counter (increasing, so identical reports still arrive)
    frame: 0, cursorTimer: 0, urlTimer: 0, giveUpTimer: 0,
    drawn: {},             // what the DOM shows now, to touch only what differs
    g: null,               // the graph's elements
    setStateValue: null,
  };

  // Skeleton: controls, then graph (left) and panel (right).
  const wrap = h('div', 'bp-sv', root);
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', 'Step through the update');
  wrap.tabIndex = -1;  // (Escape in practice's answer field gives the focus back to the view: the keys step)
  const bar = h('div', 'bp-sv-controls', wrap);
  const back = h('button', 'bp-sv-btn', bar, '← Back');
  const next = h('button', 'bp-sv-btn bp-sv-primary', bar, 'Next →');
  back.type = next.type = 'button';
  back.setAttribute('aria-keyshortcuts', 'ArrowLeft PageUp Shift+Space');
  next.setAttribute('aria-keyshortcuts', 'ArrowRight PageDown Space');
  const scrub = h('label', 'bp-sv-scrub', bar);
  const scrubText = h('span', 'bp-sv-scrub-label', scrub);
  const slider = h('input', 'bp-sv-slider', scrub);
  slider.type = 'range';
  slider.step = '1';
  const count = h('span', 'bp-sv-count', bar);
  const wait = h('span', 'bp-sv-wait', bar);
  wait.setAttribute('aria-live', 'polite');
  const body = h('div', 'bp-sv-body', wrap);
  const figure = h('div', 'bp-sv-graph', body);
  const svg = s('svg', { class: 'bp-sv-svg', role: 'img', 'aria-label': 'The network at this step' }, figure);
  const caption = h('div', 'bp-sv-caption', figure);
  const panel = h('div', 'bp-sv-panel', body);
  const sample = h('img', 'bp-sv-sample', panel);  // the current sample as a picture (digits), if it is one
  sample.hidden = true;
  const progress = h('div', 'bp-sv-progress', panel);
  const title = h('div', 'bp-sv-title', panel);
  title.setAttribute('role', 'heading');
  title.setAttribute('aria-level', '4');
  const formulas = h('div', 'bp-sv-formulas', panel);
  const quiz = createQuiz(v, panel);
  const explanation = h('p', 'bp-sv-expl', panel);
  const tableBox = h('div', 'bp-sv-tablebox', panel);
  Object.assign(v, { wrap, back, next, slider, scrubText, count, wait, body, svg, caption, sample, progress, title,
    formulas, quiz, explanation, tableBox });

  // A click keeps the focus where it was (the keys keep stepping); the buttons still work by keyboard.
  for (const b of [back, next]) b.addEventListener('mousedown', e => e.preventDefault());
  back.addEventListener('click', () => act(v, 'b'));
  next.addEventListener('click', () => act(v, 'f'));
  slider.addEventListener('input', () => act(v, ['goto', Number(slider.value)]));
  svg.addEventListener('click', e => {
    if (performance.now() - (v.zoomedAt || -1e9) < 600) return;  // the click of the tap that zoomed
    const node = e.target.closest && e.target.closest('[data-neuron]');
    if (node && v.data) select(v, Number(node.dataset.layer), Number(node.dataset.i));
  });
  // A tap on the graph (not on a neuron) zooms in twice around it; another tap shows the whole network.
  svg.addEventListener('pointerup', e => {
    if (e.pointerType !== 'touch' || !v.data || (e.target.closest && e.target.closest('[data-neuron]'))) return;
    v.zoomedAt = performance.now();
    toggleZoom(v, e.clientX, e.clientY);
  });
  // A swipe across the view steps (left: next, right: back); vertical moves stay the page's scrolling.
  let touch = null;
  body.addEventListener('touchstart', e => {
    touch = e.touches.length === 1 ? [e.touches[0].clientX, e.touches[0].clientY] : null;
  }, { passive: true });
  body.addEventListener('touchend', e => {
    const t = e.changedTouches[0];
    if (!touch || !t || (v.data && v.data.graph_only)) return;
    const dx = t.clientX - touch[0], dy = t.clientY - touch[1];
    touch = null;
    if (Math.abs(dx) >= 48 && Math.abs(dx) > 1.5 * Math.abs(dy)) act(v, dx < 0 ? 'f' : 'b');
  }, { passive: true });
  // A too-wide formula line is fitted again when the panel's width changes.
  // Stacked, a formula that grows (its fonts arrive) pushes the graph down: it is fitted again.
  new ResizeObserver(() => {
    fitFormulas(v);
    fitTableRows(v);
    if (v.data && fits(v)) fitGraph(v);
  }).observe(formulas);
  return v;
}

