// ------------------------------------------------------------------ the panel
function drawPanel(v, c) {
  const d = v.data;
  const ev = c >= 0 ? d.events[c - d.window[0]] : null;
  v.progress.textContent = ev ? ev.progress : d.start.progress;
  const pic = ev && d.samples && ev.sample !== null && ev.sample !== undefined ? d.samples[ev.sample] : null;
  v.sample.hidden = !pic;
  if (pic && v.sample.getAttribute('src') !== pic) {
    v.sample.src = pic;
    v.sample.alt = `sample ${ev.sample + 1} as a picture`;
  }
  v.title.textContent = ev ? ev.title : `Update ${d.update + 1}`;
  drawInline(v, v.explanation, ev ? ev.explanation : d.start.note);
  drawLines(v, ev ? ev.lines : d.start.lines);
  drawTable(v, c, ev);
}

// A sentence with inline maths between $ … $ (the explanations): the text as text, the maths by KaTeX.
function drawInline(v, el, text) {
  const key = JSON.stringify([text, !!v.katex]);
  if (el.__key === key) return;
  el.__key = key;
  el.replaceChildren();
  text.split(/\$([^$]+)\$/).forEach((part, i) => {  // odd parts are the maths
    if (i % 2 === 0) { if (part) el.appendChild(document.createTextNode(part)); return; }
    const span = h('span', 'bp-sv-inline', el);
    if (v.katex) v.katex.render(part, span, { displayMode: false, throwOnError: false, output: 'htmlAndMathml' });
    else span.textContent = part;  // KaTeX not (yet) loaded: its source, still readable
  });
}

function drawLines(v, lines) {
  const key = JSON.stringify([lines, !!v.katex, v.katexFailed]);
  if (key === v.drawn.lines) return;
  v.drawn.lines = key;
  v.formulas.replaceChildren(...lines.map(tex => {
    const line = h('div', 'bp-sv-line');
    const fit = h('div', 'bp-sv-fit', line);
    if (v.katex) {
      v.katex.render(tex, fit, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    } else if (v.katexFailed) {
      h('code', 'bp-sv-tex', fit, tex);  // KaTeX could not load: its source, still readable
    }
    return line;
  }));
  fitFormulas(v);
  // KaTeX's fonts may still be loading (the first formulas of a page): fit again once they are in.
  if (document.fonts && document.fonts.status !== 'loaded') document.fonts.ready.then(() => fitFormulas(v));
}

// A line wider than the box is drawn smaller (down to MIN_FORMULA_SCALE); beyond that the box scrolls.
function fitFormulas(v) {
  fitBox(v, v.formulas);
  if (v.quiz && !v.quiz.box.hidden) fitBox(v, v.quiz.lines, 2.5 * v.quiz.form.offsetHeight);
}

// `below`: px the box keeps free under the formula (the question's answer row).
function fitBox(v, box, below = 0) {
  const avail = box.clientWidth - 4;
  if (avail <= 0) return;
  const fits = [...box.querySelectorAll('.bp-sv-fit')];
  const scales = fits.map(fit => {
    fit.style.fontSize = '';
    const natural = fit.scrollWidth;
    return natural > avail ? Math.max(MIN_FORMULA_SCALE, avail / natural) : 1;
  });
  // Presentation: the whole formula on the screen (a long sum is tall): all lines shrink together.
  let tall = 1;
  if (v.wrap.classList.contains('bp-sv-present') && fits.length) {
    const main = document.querySelector('[data-testid="stMain"]');
    const top = fits[0].getBoundingClientRect().top + (main ? main.scrollTop : 0) + window.scrollY;
    const height = fits[fits.length - 1].getBoundingClientRect().bottom - fits[0].getBoundingClientRect().top;
    const room = window.innerHeight - top - 8 - below;
    if (height > room && room > 0) tall = Math.max(MIN_FORMULA_SCALE, room / height);
  }
  fits.forEach((fit, q) => {
    const k = Math.min(scales[q], tall);
    if (k < 1) fit.style.fontSize = `${k.toFixed(3)}em`;
  });
}

function drawTable(v, c, ev) {
  const d = v.data;
  const t = ev && ev.table !== null && ev.table !== undefined ? d.tables[ev.table] : null;
  const row = t && ev.row !== null && ev.row !== undefined ? ev.row : -1;
  const key = t ? `${ev.table}|${row}|${c}` : '';
  if (key === v.drawn.table) return;
  v.drawn.table = key;
  if (!t) { v.tableBox.replaceChildren(); return; }
  const n = t.cells.length;
  let a = 0, b = n;
  if (n > TABLE_ROWS) {  // TABLE_ROWS rows around the highlighted one
    a = Math.max(0, Math.min(n - TABLE_ROWS, (row < 0 ? 0 : row) - Math.floor(TABLE_ROWS / 2)));
    b = a + TABLE_ROWS;
  }
  const cap = h('div', 'bp-sv-tablecap', null, t.caption);
  const span = h('span', 'bp-sv-rows', cap, n > TABLE_ROWS ? ` · rows ${a + 1}–${b} of ${n}` : '');
  span.dataset.n = n;
  const scroll = h('div', 'bp-sv-tablescroll');
  const table = h('table', 'bp-sv-table', scroll);
  const headRow = h('tr', null, h('thead', null, table));
  for (const col of t.columns) h('th', null, headRow, col);
  const tbody = h('tbody', null, table);
  for (let r = a; r < b; r++) {
    const tr = h('tr', r === row ? 'bp-sv-hl' : null, tbody);
    tr.dataset.row = r;
    t.cells[r].forEach((cell, k) => h('td', null, tr, c >= t.reveal[r][k] ? cell : ''));
    const target = t.targets ? t.targets[r] : null;
    if (target && target[1] >= 1) {  // a click shows its chain-rule paths (as a click on the neuron does)
      tr.classList.add('bp-sv-pick');
      tr.title = 'Show its chain-rule paths to the loss';
      tr.addEventListener('click', () => selectTarget(v, target));
    }
  }
  v.tableBox.replaceChildren(cap, scroll);
  fitTableRows(v);
}

// Presentation: the layer table's highlighted row ends on the screen. The rows farthest from it are left
// out and the caption says which rows are shown, as for a table over TABLE_ROWS. Below a formula so tall
// that not even the highlighted row would fit, the table is left whole (the page scrolls to it).
function fitTableRows(v) {
  const tbody = v.tableBox.querySelector('tbody');
  const span = v.tableBox.querySelector('.bp-sv-rows');
  const rows = tbody ? [...tbody.rows] : [];
  if (!span || !rows.length) return;
  rows.forEach(tr => { tr.hidden = false; });
  let a = 0, b = rows.length;
  if (v.wrap.classList.contains('bp-sv-present')) {
    const main = document.querySelector('[data-testid="stMain"]');
    const room = window.innerHeight - 8 - (main ? main.scrollTop : 0) - window.scrollY;
    const hl = Math.max(0, rows.findIndex(tr => tr.classList.contains('bp-sv-hl')));
    const head = tbody.getBoundingClientRect().top;
    const fits = head + rows[hl].getBoundingClientRect().height <= room;
    while (fits && b - a > 1 && tbody.getBoundingClientRect().bottom > room) {
      if (b - 1 - hl >= hl - a) rows[--b].hidden = true;
      else rows[a++].hidden = true;
    }
  }
  const n = Number(span.dataset.n);
  const first = Number(rows[a].dataset.row), last = Number(rows[b - 1].dataset.row);
  span.textContent = first > 0 || last < n - 1 ? ` · rows ${first + 1}–${last + 1} of ${n}` : '';
}

