// ------------------------------------------------------------------ one frame
function render(v) {
  const d = v.data;
  if (!d) return;
  const c = v.cursor;
  v.slider.min = '-1';
  v.slider.max = String(d.n_events - 1);
  if (v.slider.value !== String(c)) v.slider.value = String(c);
  v.slider.setAttribute('aria-valuetext', c >= 0 ? `event ${c + 1} of ${d.n_events}` : 'start');
  v.scrubText.textContent = `Scrub through update ${d.update + 1} (${d.n_events} events)`;
  v.count.textContent = c >= 0 ? `event ${c + 1} of ${d.n_events}` : `start · ${d.n_events} events`;
  v.back.disabled = c === -1 && !d.can_back;
  v.root.dataset.cursor = String(c);  // (for tests and for reading the page)
  v.root.dataset.update = String(d.update);
  if (v.drawn.cursor === c) return;
  drawGraph(v, c);
  v.root.dataset.frame = String((Number(v.root.dataset.frame) || 0) + 1);  // (a drawing reached the page)
  v.drawn.cursor = c;
  if (d.graph_only) return;
  drawPanel(v, c);
  drawQuiz(v, c);
  holdHeight(v);
}

// The view never shrinks while one update is shown: a shorter formula or table must not pull the page
// below it up (and a press must never move what the reader is looking at).
function holdHeight(v) {
  if (PHONE.matches || v.wrap.clientWidth <= 760) holdStacked(v);  // (the CSS stacks the view there)
  else if (SHORT.matches) fitGraph(v);
  else if (v.wrap.classList.contains('bp-sv-present')) fitPresentedGraph(v);
  else if (!SHORT.matches && v.svg.style.maxHeight) v.svg.style.maxHeight = '';
  // Edge values drawn smaller than 12 px (a phone's width) are left out: the callout and the formula
  // still give the current one.
  const g = v.data && v.data.graph;
  const chip = g && Math.max(8, g.font - 3);  // (as drawGraph sizes them)
  const shownWidth = v.zoom ? v.zoom[2] : g && g.width;
  if (g) v.wrap.classList.toggle('bp-sv-tiny', chip * v.svg.getBoundingClientRect().width / shownWidth < 12);
  v.body.style.minHeight = '';
  const h = v.body.offsetHeight;
  if (h > (v.tallest || 0)) v.tallest = h;
  v.body.style.minHeight = `${v.tallest}px`;
}

// Stacked (a phone, a tablet, a narrow window) the title and formula sit above the graph: they keep the
// height of the tallest seen in this update (the graph does not jump at every press), and the graph is
// scaled to the rest of the first screen, above a phone's step bar (it shrinks when a taller formula
// comes, never grows back in one update).
const PHONE = window.matchMedia('(max-width: 640px)');
const SHORT = window.matchMedia('(max-height: 500px)');  // a phone held sideways: side by side, fitted
const fits = v => PHONE.matches || SHORT.matches || v.wrap.clientWidth <= 760;  // the graph is fitted to the screen
function holdStacked(v) {
  for (const [el, k] of [[v.title, 'titleTallest'], [v.formulas, 'formulaTallest']]) {
    el.style.minHeight = '';
    v[k] = Math.max(v[k] || 0, el.offsetHeight);
    el.style.minHeight = `${v[k]}px`;
  }
  fitGraph(v);
}

// Presentation, side by side: the graph and the caption and legend under it end on the screen (a
// projector's 768 px); the graph is drawn smaller when they would not.
function fitPresentedGraph(v) {
  const main = document.querySelector('[data-testid="stMain"]');
  const scroll = (main ? main.scrollTop : 0) + window.scrollY;
  v.svg.style.maxHeight = '';
  const box = v.svg.getBoundingClientRect();
  const room = window.innerHeight - 8 - scroll - box.top - v.caption.offsetHeight;
  if (box.height > room) v.svg.style.maxHeight = `${Math.round(Math.max(room, 0.33 * window.innerHeight))}px`;
}

function fitGraph(v) {
  const bar = v.wrap.querySelector('.bp-sv-controls');
  const main = document.querySelector('[data-testid="stMain"]');
  const top = v.svg.getBoundingClientRect().top + (main ? main.scrollTop : 0) + window.scrollY;
  const below = bar && getComputedStyle(bar).position === 'fixed' ? bar.offsetHeight : 0;
  const room = Math.max(window.innerHeight - below - top - 8, 0.33 * window.innerHeight);
  v.graphMax = Math.min(v.graphMax || Infinity, room);
  v.svg.style.maxHeight = `${Math.round(v.graphMax)}px`;
}

