// A review of one scrub_text step (Session.notes_review): a sample of scrubbed notes with each
// replacement highlighted and labelled by its category, the replacements per category, and the
// "possible names kept" (capitalized words neither replaced nor on the allow-list) for a human
// to look at. Pure view: returns a DOM node, reads nothing else. The review carries no original
// identifier text; pass `originals` (the page's own copy of the notes, same order) to highlight
// the original notes on screen instead. Strings: i18n/LANG.json (keys notes.*).
import { h } from './dom.js';

// Splits `text` at the spans (UTF-16 offsets, sorted, not overlapping) into text and marks.
function marked(text, spans, t) {
  const out = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at || s.end > text.length) continue;
    if (s.start > at) out.push(text.slice(at, s.start));
    const label = t(`notes.category.${s.category}`);
    out.push(h('mark', { class: `notes-span notes-${s.category.toLowerCase()}`, title: label, 'data-category': s.category },
      text.slice(s.start, s.end),
      h('span', { class: 'notes-label', text: label })));
    at = s.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** `review`: {notes: [{row, column, scrubbed, spans, original_spans}], replaced: {CATEGORY: n},
 * possible_names_kept: [word]}; `t(key, vars)`: the page's translator; `originals`: optional
 * array of the original note texts (shown locally, never exported). */
export function renderNotesReview(review, t, originals = null) {
  const counts = Object.entries(review.replaced || {}).filter(([, n]) => n > 0);
  const total = counts.reduce((a, [, n]) => a + n, 0);
  const summary = h('p', { class: 'notes-summary', text: t('notes.summary', { count: total }) });
  const countList = h('ul', { class: 'notes-counts' },
    counts.map(([k, n]) => h('li', { 'data-category': k }, t(`notes.category.${k}`), ': ', String(n))));
  const notes = h('ol', { class: 'notes-sample', 'aria-label': t('notes.sample') },
    (review.notes || []).map((note, i) => {
      const original = originals && typeof originals[i] === 'string' ? originals[i] : null;
      const body = original != null
        ? marked(original, note.original_spans, t)
        : marked(note.scrubbed, note.spans, t);
      return h('li', { class: 'notes-note' },
        h('div', { class: 'notes-meta', text: t('notes.row', { row: note.row + 1, column: note.column }) }),
        h('p', { class: 'notes-text', lang: '' }, body));
    }));
  const words = review.possible_names_kept || [];
  const possible = h('section', { class: 'notes-possible' },
    h('h4', { text: t('notes.possible.title') }),
    h('p', { class: 'hint', text: t(words.length ? 'notes.possible.help' : 'notes.possible.none') }),
    words.length ? h('ul', { class: 'notes-possible-list' }, words.map((w) => h('li', { text: w }))) : null);
  return h('section', { class: 'notes-review' },
    h('h3', { text: t('notes.title') }),
    summary,
    counts.length ? countList : null,
    (review.notes || []).length ? notes : h('p', { class: 'hint', text: t('notes.empty') }),
    possible);
}
