// ------------------------------------------------------------------ keys (one listener per page)
function onKey(e) {
  const v = window.__bpStepViewActive;
  if (!v || !v.data || !v.root.isConnected || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
  const t = e.target;
  const ours = t && t.closest && t.closest('.bp-sv') === v.wrap;
  if (t !== v.slider && t && t.closest && (t.isContentEditable || t.closest('input, textarea, select'))) return;
  if (e.key === ' ' && !ours && t && t.closest && t.closest('button, a, [role="button"]')) return;  // Space clicks it
  const action = {
    ArrowRight: 'f', PageDown: 'f', ArrowLeft: 'b', PageUp: 'b', Home: 'home', End: 'end',
    ' ': e.shiftKey ? 'b' : 'f',
  }[e.key];
  if (!action) return;
  e.preventDefault();  // no scrolling, and our slider does not move by itself
  act(v, action);
}
if (!window.__bpStepViewKeys) {
  window.__bpStepViewKeys = true;
  document.addEventListener('keydown', onKey);
  // A click anywhere else on the page (a Streamlit control acts on the server's cursor): report ours first.
  document.addEventListener('pointerdown', e => {
    const v = window.__bpStepViewActive;
    if (v && v.root.isConnected && !(e.target && e.target.closest && e.target.closest('.bp-sv') === v.wrap)) {
      clearTimeout(v.cursorTimer);
      reportCursor(v);
    }
  }, true);
  // Space on our own focused button would click it again on keyup.
  document.addEventListener('keyup', e => {
    const v = window.__bpStepViewActive;
    if (v && e.key === ' ' && (e.target === v.back || e.target === v.next)) e.preventDefault();
  });
}

