// ------------------------------------------------------------------ the graph
// The drawing's viewBox: the whole network, or (zoomed) half its width and height around a tap.
function toggleZoom(v, clientX, clientY) {
  const g = v.data.graph, r = v.svg.getBoundingClientRect();
  if (v.zoom || !r.width) {
    v.zoom = null;
  } else {
    const k = Math.min(r.width / g.width, r.height / g.height);  // (the drawing is centred in its box)
    const x = (clientX - r.left - (r.width - g.width * k) / 2) / k;
    const y = (clientY - r.top - (r.height - g.height * k) / 2) / k;
    const w = g.width / 2, hh = g.height / 2;
    v.zoom = [Math.min(Math.max(x - w / 2, 0), g.width - w), Math.min(Math.max(y - hh / 2, 0), g.height - hh), w, hh];
  }
  v.svg.setAttribute('viewBox', (v.zoom || [0, 0, g.width, g.height]).map(n => Math.round(n)).join(' '));
  v.svg.dataset.zoomed = v.zoom ? '1' : '';
  if (v.data && !v.data.graph_only) holdHeight(v);  // edge values may be legible now (or no longer)
}

let clipCount = 0;  // (clip-path ids unique on the page)
function buildGraph(v) {
  const g = v.data.graph;
  const svg = v.svg;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
  v.zoom = null;  // a new drawing shows the whole network
  svg.dataset.zoomed = '';
  svg.style.setProperty('--bp-sv-aspect', `${g.width} / ${g.height}`);
  const layer = name => s('g', { class: `bp-sv-${name}` }, svg);
  const statics = layer('static');
  for (const [x, y, w, hh, fill, stroke] of g.rects) s('rect', { x, y, width: w, height: hh, fill, stroke }, statics);
  const texts = g.texts.map(([x, y, text, size, anchor, weight, colour]) => {
    const attrs = { x, y, 'font-size': size, 'text-anchor': anchor, 'font-weight': weight, fill: colour };
    const t = s('text', attrs, statics);
    t.textContent = text;
    return t;
  });
  const halo = layer('halo');
  const pathLayer = layer('paths');  // the chain-rule paths of the selected neuron or weight
  const edgeLayer = layer('edges');
  const edges = g.edges.map(([x1, y1, x2, y2]) => s('line', { x1, y1, x2, y2 }, edgeLayer));
  const focus = layer('focus');
  const chipLayer = layer('chips');
  const chips = g.chips.map(([x, y]) => {
    const grp = s('g', { transform: `translate(${x} ${y})`, display: 'none' }, chipLayer);
    const rect = s('rect', { rx: 3, ry: 3 }, grp);
    return { grp, rect, text: s('text', { 'text-anchor': 'middle', dy: '0.35em' }, grp) };
  });
  const defs = s('defs', {}, svg);  // (the pictures' clip paths: not inside the nodes' groups)
  const nodeLayer = layer('nodes');
  const nodes = g.nodes.map(([x, y, r, shape, lay, i]) => {
    const grp = s('g', {}, nodeLayer);
    const body = shape === 1
      ? s('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, rx: 2 }, grp)
      : s('circle', { cx: x, cy: y, r }, grp);
    if (shape === 0 && i >= 0) Object.assign(grp.dataset, { neuron: '1', layer: String(lay), i: String(i) });
    const picture = shape === 0 && v.data.pictures ? v.data.pictures[`${lay},${i}`] : null;
    if (picture) {  // the neuron's activation over the input plane, inside its circle
      const id = `bp-sv-clip-${++clipCount}`;
      s('circle', { cx: x, cy: y, r }, s('clipPath', { id }, defs));
      s('image', { href: picture, x: x - r, y: y - r, width: 2 * r, height: 2 * r, 'clip-path': `url(#${id})`,
        preserveAspectRatio: 'none', class: 'bp-sv-picture' }, grp);
    }
    const text = s('text', { x, y, 'text-anchor': 'middle', dy: '0.35em' }, grp);
    return { grp, body, text, r, x, y, shape };
  });
  v.wrap.classList.toggle('bp-sv-pictures', !!v.data.pictures);
  const rings = layer('rings');
  const flagLayer = layer('flags');  // diagnostics: a badge by each unit or layer in trouble
  const callout = layer('callout');
  v.g = { halo, paths: pathLayer, flags: flagLayer, edges, focus, chips, nodes, rings, callout, texts, font: g.font };
  v.geometry = geometryKey(g);
  v.edgeStyles = JSON.stringify(g.edge_styles);
  v.drawn = {
    paths: null, flags: null,
    edge: new Int32Array(edges.length).fill(-1), dashed: new Set(),
    fill: nodes.map(() => null), text: nodes.map(() => null), chip: chips.map(() => null),
    marks: null, cursor: null, lines: null, table: null, count: null,
  };
}

// What the drawing's elements depend on: the same for every tick of play on one network.
const geometryKey = g =>
  JSON.stringify([g.width, g.height, g.font, g.edges, g.nodes, g.chips.length, g.rects, g.texts.length]);

// A new graph of the same geometry (play's next tick): keep the elements, retext the legend, move the
// edge-value chips, and let drawGraph touch only what differs (every edge again if the edge styles,
// i.e. the scale, changed).
function reuseGraph(v) {
  const g = v.data.graph, G = v.g, D = v.drawn;
  g.texts.forEach(([, , text], q) => { if (G.texts[q].textContent !== text) G.texts[q].textContent = text; });
  g.chips.forEach(([x, y], q) => G.chips[q].grp.setAttribute('transform', `translate(${x} ${y})`));  // placed anew
  const styles = JSON.stringify(g.edge_styles);
  if (styles !== v.edgeStyles) { D.edge.fill(-1); v.edgeStyles = styles; }
  D.marks = null;
}

// Edge values that would cover one shown before them (in edge order) are left out: where edges crowd
// (many from one neuron, a short gap between layers) the picture keeps what can be read.
function thinChips(v, g, callout) {
  const G = v.g, D = v.drawn, kept = [];
  D.chipsAt = g;
  D.chipsFor = callout;
  for (const { x, y, r } of G.nodes) kept.push([x - r, y - r, x + r, y + r]);  // no value over a neuron
  if (Array.isArray(callout)) {  // the callout's box (as drawGraph sizes it) comes first
    const [x, y, text] = callout, w = 0.58 * G.font * [...String(text)].length + 12, hh = 1.6 * G.font;
    kept.push([x - w / 2, y - hh / 2, x + w / 2, y + hh / 2]);
  }
  G.chips.forEach((chip, k) => {
    const text = D.chip[k];
    let show = !!text && !!chip.size;
    if (show) {
      const [x, y] = g.chips[k], [w, hh] = chip.size;
      const box = [x - w / 2, y - hh / 2, x + w / 2, y + hh / 2];
      show = !kept.some(b => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
      if (show) kept.push(box);
    }
    chip.grp.setAttribute('display', show ? 'inline' : 'none');
  });
}

// The state at cursor c: base entries then every change with k ≤ c, in order.
function stateAt(list, c, size, pick) {
  const out = new Array(size).fill(null);
  const end = upto(list, c);
  for (let m = 0; m < end; m++) out[list[m][1]] = pick(list[m]);
  return out;
}

// The chain-rule paths ([layer, i, layer + 1, k] node pairs) and the diagnostics' flags ([layer, i or −1,
// kind, sentence]): drawn when they change, from the payload (the server finds them).
function drawOverlays(v) {
  const G = v.g, D = v.drawn, d = v.data;
  const at = new Map(d.graph.nodes.filter(n => n[3] === 0 && n[5] >= 0).map(n => [`${n[4]},${n[5]}`, n]));
  const pathKey = JSON.stringify(d.paths || []);
  if (pathKey !== D.paths) {
    D.paths = pathKey;
    G.paths.replaceChildren(...(d.paths || []).map(([l, i, l2, k]) => {
      const a = at.get(`${l},${i}`), b = at.get(`${l2},${k}`);
      return a && b ? s('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: 'bp-sv-path' }) : null;
    }).filter(Boolean));
  }
  const flagKey = JSON.stringify(d.flags || []);
  if (flagKey !== D.flags) {
    D.flags = flagKey;
    G.flags.replaceChildren(...(d.flags || []).map(([l, i, kind, sentence]) => {
      const nodes = [...at.values()].filter(n => n[4] === l && (i < 0 || n[5] === i));
      if (!nodes.length) return null;
      const top = nodes.reduce((p, q) => (q[1] < p[1] ? q : p));
      const [x, y, r] = top;
      const place = `translate(${x + 0.8 * r} ${y - 0.8 * r})`;
      const grp = s('g', { class: `bp-sv-flag bp-sv-flag-${kind}`, transform: place });
      s('circle', { r: Math.max(7, 0.35 * r) }, grp);
      const t = s('text', { 'text-anchor': 'middle', dy: '0.35em', 'font-size': Math.max(9, 0.45 * r) }, grp);
      t.textContent = '!';
      s('title', {}, grp).textContent = sentence;
      return grp;
    }).filter(Boolean));
  }
}

function drawGraph(v, c) {
  const g = v.data.graph, G = v.g, D = v.drawn;
  drawOverlays(v);
  const styles = g.edge_styles;
  const setEdge = (line, st, wide) => {
    line.setAttribute('stroke', st[0]);
    line.setAttribute('stroke-width', st[1] + (wide || 0));
    line.setAttribute('stroke-opacity', st[2]);
  };
  // Edges: only those whose style differs from what is drawn.
  const edgeStyle = stateAt(g.edge_changes, c, G.edges.length, x => x[2]);
  edgeStyle.forEach((st, e) => {
    if (st === null || st === D.edge[e]) return;
    D.edge[e] = st;
    setEdge(G.edges[e], styles[st] || styles[0]);
  });
  // Nodes: fill and text.
  const nodeState = stateAt(g.node_changes, c, G.nodes.length, x => x);
  nodeState.forEach((ch, n) => {
    if (!ch) return;
    const node = G.nodes[n];
    const [, , fill, text] = ch;
    if (fill !== D.fill[n]) {
      D.fill[n] = fill;
      node.body.setAttribute('fill', fill);
      node.text.setAttribute('fill', darkFill(fill) ? '#ffffff' : '#1a1a1a');
    }
    if (text !== D.text[n]) {
      D.text[n] = text;
      node.text.textContent = text;
      // The label fits its circle (or square): about 0.58 em per character.
      const room = node.shape === 1 ? 2 * node.r - 2 : 2 * node.r - 5;
      const size = Math.max(6, Math.min(G.font, room / (0.58 * Math.max(1, [...text].length))));
      node.text.setAttribute('font-size', size.toFixed(1));
    }
  });
  // Edge-value chips: "" hides one.
  const chipText = stateAt(g.chip_changes, c, G.chips.length, x => x[2]);
  let chipsMoved = false;
  chipText.forEach((text, k) => {
    if (text === null || text === D.chip[k]) return;
    D.chip[k] = text;
    chipsMoved = true;
    const chip = G.chips[k];
    chip.text.textContent = text;
    const size = Math.max(8, G.font - 3);
    const w = 0.58 * size * [...text].length + 6;
    chip.size = [w, size * 1.4];
    chip.text.setAttribute('font-size', size);
    Object.entries({ x: -w / 2, y: -size * 0.7, width: w, height: size * 1.4 })
      .forEach(([a, b]) => chip.rect.setAttribute(a, b));
  });
  const mark = g.marks[c - (v.data.window[0] - 1)] || {};
  if (chipsMoved || D.chipsAt !== g || D.chipsFor !== mark.callout) thinChips(v, g, mark.callout);
  // Marks of this cursor (a few elements: rebuilt when they change).
  const markKey = JSON.stringify(mark);
  if (markKey === D.marks) return;
  D.marks = markKey;
  const dashed = new Set(mark.dashed || []);
  for (const e of D.dashed) if (!dashed.has(e)) G.edges[e].removeAttribute('stroke-dasharray');
  for (const e of dashed) if (G.edges[e]) G.edges[e].setAttribute('stroke-dasharray', '6 4');
  D.dashed = dashed;
  G.halo.replaceChildren(...(mark.halo || []).filter(e => g.edges[e]).map(e => {
    const [x1, y1, x2, y2] = g.edges[e];
    return s('line', { x1, y1, x2, y2, class: 'bp-sv-halo-line' });
  }));
  G.focus.replaceChildren();
  if (mark.focus !== null && mark.focus !== undefined && g.edges[mark.focus]) {
    const [x1, y1, x2, y2] = g.edges[mark.focus];
    const st = styles[D.edge[mark.focus]] || styles[0];
    s('line', { x1, y1, x2, y2, stroke: '#1a1a1a', 'stroke-width': st[1] + 3.5, 'stroke-linecap': 'round' }, G.focus);
    setEdge(s('line', { x1, y1, x2, y2, 'stroke-linecap': 'round' }, G.focus), [st[0], st[1] + 1, 1]);
  }
  G.rings.replaceChildren(...(mark.ring || []).filter(n => G.nodes[n]).map(n => {
    const { x, y, r, shape } = G.nodes[n];
    return shape === 1
      ? s('rect', { x: x - r - 5, y: y - r - 5, width: 2 * r + 10, height: 2 * r + 10, class: 'bp-sv-ring' })
      : s('circle', { cx: x, cy: y, r: r + 5, class: 'bp-sv-ring' });
  }));
  G.callout.replaceChildren();
  if (Array.isArray(mark.callout)) {
    const [x, y, text] = mark.callout;
    const size = G.font;
    const rect = s('rect', { class: 'bp-sv-callout-box', rx: 4, ry: 4 }, G.callout);
    const attrs = { x, y, 'font-size': size, 'text-anchor': 'middle', dy: '0.35em', fill: '#1a1a1a' };
    const label = s('text', attrs, G.callout);
    label.textContent = text;
    let w = 0.58 * size * [...String(text)].length;
    try { w = label.getComputedTextLength() || w; } catch (err) { /* not laid out yet: the estimate */ }
    Object.entries({ x: x - w / 2 - 6, y: y - size * 0.8, width: w + 12, height: size * 1.6 })
      .forEach(([a, b]) => rect.setAttribute(a, b));
  }
  v.caption.textContent = mark.caption || '';
  drawFillKey(v.caption, (g.fills || [])[mark.fill]);
}

// The node fills' legend after the caption's words: its colours and end values come with the graph.
function drawFillKey(where, key) {
  if (!key) return;
  const box = h('span', 'bp-sv-fillkey', where);
  box.title = `each node's fill: ${key.what}`;
  h('span', null, box, 'fill: ');
  if (key.low) h('span', null, box, key.low);
  const bar = h('span', 'bp-sv-fillbar', box);
  key.colours.forEach(c => { h('span', null, bar).style.background = c; });
  if (key.high) h('span', null, box, key.high);
  if (key.per_layer) h('span', null, box, ' each layer on its own scale');
  if (key.inputs) h('span', null, box, `; ${key.inputs}`);
}

