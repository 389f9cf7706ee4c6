// Messages from the core as codes: a warning, an audit note, a rejected row's reason or an
// error arrives as `{code, params}` beside its English text (see src/message.rs). This renders
// it in the page's language from the `msg.CODE` strings (i18n/LANG.msg.json). Placeholders:
// `{name}` (numbers in the page's number format, lists joined, a nested message rendered),
// `{name:.N}` (N decimals) and `{name|one|other}` (the word for the number's plural category,
// English only: Chinese has none). A code without a string falls back to the English text the
// core gave, so nothing is ever blank.
import { formatter, has, locale, t } from './i18n.js';

const PLACEHOLDER = /\{(\w+)(?::\.(\d+)|\|([^|}]*)\|([^}]*))?\}/g;

const plurals = new Map();
function pluralOf(n) {
  const loc = locale();
  if (!plurals.has(loc)) plurals.set(loc, new Intl.PluralRules(loc));
  return plurals.get(loc).select(n);
}

function isMessage(v) {
  return v && typeof v === 'object' && !Array.isArray(v) && typeof v.code === 'string';
}

function value(v, digits) {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const opts = digits == null
      ? { maximumFractionDigits: 4, useGrouping: Math.abs(v) >= 10000 }
      : { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return formatter(opts).format(v);
  }
  if (Array.isArray(v)) return v.map((x) => value(x, digits)).join(t('msgfmt.list_separator'));
  if (isMessage(v)) return renderMessage(v);
  if (v == null) return '';
  return String(v);
}

/** Substitute `params` into `template` (the placeholder grammar above). */
export function fill(template, params = {}) {
  return template.replace(PLACEHOLDER, (m, name, digits, one, other) => {
    if (!(name in params)) return m;
    const v = params[name];
    if (one !== undefined) return pluralOf(Number(v)) === 'one' ? one : other;
    return value(v, digits == null ? null : Number(digits));
  });
}

/**
 * `m` ({code, params}) in the page's language; `english` (the core's own rendering) when the
 * code has no string (a core newer than the page's strings).
 */
export function renderMessage(m, english = '') {
  if (!isMessage(m) || !m.code) return english ?? '';
  const key = `msg.${m.code}`;
  if (!has(key)) return english || m.code;
  return fill(t(key), m.params || {});
}

/** An audit entry's note, a rejected row's reason, a repair's message: the coded form if any. */
export function noteText(entry, field = 'note') {
  if (!entry) return '';
  return isMessage(entry) ? renderMessage(entry, entry[field] ?? '') : String(entry[field] ?? '');
}

/**
 * A list of warnings (`warnings`, English strings) with its parallel `warning_codes`, rendered:
 * the coded form where the list has one at the same position.
 */
export function warningTexts(warnings, codes) {
  const list = Array.isArray(warnings) ? warnings : [];
  const coded = Array.isArray(codes) && codes.length === list.length ? codes : null;
  return list.map((w, i) => {
    if (coded) return renderMessage(coded[i], typeof w === 'string' ? w : w?.message ?? '');
    if (isMessage(w)) return renderMessage(w, w.message ?? '');
    return typeof w === 'string' ? w : (w?.message ?? JSON.stringify(w));
  });
}

/**
 * A model input's name for display: one_hot's group of rare values (`column=other`, the core's
 * `features::encode::OTHER`) is shown with the page's word for "other"; other names as given.
 */
export function featureLabel(name) {
  const s = String(name ?? '');
  return s.endsWith('=other') ? `${s.slice(0, -'other'.length)}${t('msgfmt.other')}` : s;
}
