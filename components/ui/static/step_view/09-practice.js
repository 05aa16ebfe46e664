// ------------------------------------------------------------------ practice: the question box
// The server asks; this code shows the question and sends what is typed. It never sees the value asked
// (it is not in the payload until answered) and never checks an answer itself.
const limited = d => d && d.limit !== null && d.limit !== undefined;

function createQuiz(v, panel) {
  const box = h('section', 'bp-sv-quiz', panel);
  box.hidden = true;
  box.setAttribute('aria-label', 'Your turn');
  const q = { box, title: h('div', 'bp-sv-quiz-title', box) };
  q.title.setAttribute('role', 'heading');
  q.title.setAttribute('aria-level', '4');
  q.ask = h('p', 'bp-sv-quiz-ask', box);
  q.lines = h('div', 'bp-sv-formulas bp-sv-quiz-lines', box);
  q.form = h('form', 'bp-sv-quiz-form', box);
  q.label = h('label', 'bp-sv-quiz-label', q.form);
  q.symbol = h('span', 'bp-sv-quiz-symbol', q.label);
  q.input = h('input', 'bp-sv-quiz-input', q.label);
  // (no inputmode="decimal": a phone's decimal pad may have no minus sign, and δ and ∂E/∂w are often negative)
  Object.assign(q.input, { type: 'text', autocomplete: 'off', spellcheck: false });
  q.input.setAttribute('enterkeyhint', 'done');
  q.input.setAttribute('aria-describedby', 'bp-sv-quiz-feedback');
  q.check = h('button', 'bp-sv-btn bp-sv-primary', q.form, 'Check ⏎');
  q.check.type = 'submit';
  q.hint = h('button', 'bp-sv-btn', q.form, '');
  q.hint.type = 'button';
  q.reveal = h('button', 'bp-sv-btn bp-sv-primary', q.form, 'Reveal →');
  q.reveal.type = 'button';
  q.feedback = h('p', 'bp-sv-quiz-feedback', box);
  q.feedback.id = 'bp-sv-quiz-feedback';
  q.feedback.setAttribute('aria-live', 'polite');
  q.score = h('p', 'bp-sv-quiz-note', box);
  q.tolerance = h('p', 'bp-sv-quiz-note', box);
  q.form.addEventListener('submit', e => {
    e.preventDefault();
    if (!v.data || q.waiting) return;
    q.waiting = true;
    q.feedback.textContent = 'Checking …';
    q.feedback.className = 'bp-sv-quiz-feedback';
    send(v, { kind: 'answer', cursor: v.cursor, text: q.input.value.slice(0, 200) });
  });
  const hint = () => { if (v.data && !q.waiting) { q.waiting = true; send(v, { kind: 'hint', cursor: v.cursor }); } };
  q.hint.addEventListener('click', hint);
  q.reveal.addEventListener('click', () => revealQuestion(v));
  q.input.addEventListener('keydown', e => {
    if (e.key === '?') { e.preventDefault(); hint(); }
    else if (e.key === 'Escape') { e.preventDefault(); q.input.blur(); v.wrap.focus(); }  // the arrows step again
  });
  return q;
}

// → at the frontier: the question, not the next value (a class question is revealed).
function askQuestion(v) {
  const quiz = v.data.quiz;
  if (!quiz || quiz.done) return;
  if (quiz.class) return revealQuestion(v);
  v.quiz.input.focus();
}

function revealQuestion(v) {
  if (!v.data || v.quiz.waiting) return;
  v.quiz.waiting = true;
  send(v, { kind: 'reveal', cursor: v.cursor });
}

function drawQuiz(v, c) {
  const q = v.quiz, quiz = v.data && v.data.quiz;
  const show = !!quiz && !v.data.graph_only && c === quiz.at;
  q.box.hidden = !show;
  v.wrap.classList.toggle('bp-sv-practice', !!quiz);
  v.wrap.classList.toggle('bp-sv-asking', show && !!quiz.class && !quiz.done);  // the question is the panel
  if (!show) return;
  const key = JSON.stringify([quiz, !!v.katex]);
  if (q.key === key) return;
  const newQuestion = q.event !== quiz.event;
  q.key = key;
  q.event = quiz.event;
  q.title.textContent = quiz.title;
  q.ask.textContent = quiz.done ? quiz.text : quiz.ask;
  q.form.hidden = !!quiz.done;
  q.lines.replaceChildren(...(quiz.lines || []).map(tex => {
    const line = h('div', 'bp-sv-line');
    const fit = h('div', 'bp-sv-fit', line);
    if (v.katex) v.katex.render(tex, fit, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    else h('code', 'bp-sv-tex', fit, tex);
    return line;
  }));
  q.lines.hidden = !(quiz.lines || []).length;
  q.symbol.replaceChildren();
  if (quiz.symbol && v.katex) v.katex.render(quiz.symbol, q.symbol, { throwOnError: false, output: 'htmlAndMathml' });
  else q.symbol.textContent = quiz.symbol || '';
  q.input.hidden = q.check.hidden = q.symbol.hidden = !!quiz.class;
  q.reveal.hidden = !quiz.class;
  q.hint.hidden = !quiz.hint;
  q.hint.textContent = quiz.hint || '';
  q.hint.title = quiz.hint_title || '';
  q.input.setAttribute('aria-label', quiz.ask || 'Your answer');
  const [kind, text] = quiz.feedback || ['', ''];
  q.feedback.textContent = text;
  q.feedback.className = `bp-sv-quiz-feedback${kind ? ' bp-sv-quiz-' + kind : ''}`;
  q.score.textContent = quiz.class ? '' : quiz.score;
  q.tolerance.textContent = quiz.class || quiz.done ? '' : quiz.tolerance;
  if (newQuestion) q.input.value = '';
  else if (kind === 'wrong') q.input.select();
  if (!quiz.class) requestAnimationFrame(() => q.box.scrollIntoView({ block: 'nearest' }));  // (a hint makes it taller)
  // Keyboard alone is enough: the answer field has the focus unless the reader is elsewhere.
  const here = document.activeElement;
  if (!quiz.class && !quiz.done && (!here || here === document.body || here === q.input || v.wrap.contains(here))) {
    if (here !== q.input) q.input.focus({ preventScroll: true });
  }
  fitFormulas(v);
}

