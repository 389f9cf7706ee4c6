// Strings and number formats in the page's language. Strings live in i18n/LANG.json plus one file
// per area (i18n/LANG.AREA.json), merged in order; the single-file build inlines them
// (BEDSIDE_EMBED.strings). `ui` is the one bundle of helpers every view receives.
import { h } from './dom.js';

export const LANGS = ['en', 'zh'];
const STRING_PARTS = ['', '.privacy', '.features', '.models', '.app', '.msg', '.survival'];
const EMBED = globalThis.BEDSIDE_EMBED || null;

const cache = new Map();
let strings = {};
let fallback = {};

async function fetchStrings(lang) {
  if (EMBED) return EMBED.strings[lang];
  if (!cache.has(lang)) {
    const merged = {};
    for (const part of STRING_PARTS) {
      const res = await fetch(`./i18n/${lang}${part}.json`);
      if (!res.ok) throw new Error(`i18n/${lang}${part}.json: HTTP ${res.status}`);
      Object.assign(merged, await res.json());
    }
    cache.set(lang, merged);
  }
  return cache.get(lang);
}

/** Load the English fallback (once, at start-up). */
export async function loadFallback() {
  try {
    fallback = await fetchStrings('en');
  } catch {
    fallback = {};
  }
}

/** Switch the strings to `lang`; resolves with the language in use (English when `lang` fails). */
export async function useLanguage(lang) {
  if (!LANGS.includes(lang)) lang = 'en';
  try {
    strings = await fetchStrings(lang);
  } catch {
    strings = fallback;
    lang = 'en';
  }
  return lang;
}

/**
 * Run `build(ui)` with the strings and number formats of `lang` (a report in a language other
 * than the page's), then restore the page's. `build` must be synchronous.
 */
export async function inLanguage(lang, build) {
  if (!LANGS.includes(lang)) lang = 'en';
  const other = await fetchStrings(lang);
  const saved = strings;
  strings = other;
  try {
    return build(ui);
  } finally {
    strings = saved;
  }
}

export function has(key) {
  return key in strings || key in fallback;
}

/** Translate `key`, substituting `{name}` placeholders (values are used as given). */
export function t(key, params = {}) {
  const template = strings[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

export function locale() {
  return strings['meta.locale'] || 'en';
}

const formatters = new Map();
export function formatter(opts) {
  const key = locale() + JSON.stringify(opts);
  if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(locale(), opts));
  return formatters.get(key);
}

export const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const NONE = () => t('results.none');
export const fmtInt = (v) => (isNum(v) ? formatter({ maximumFractionDigits: 0 }).format(v) : NONE());
export const fmtDec = (v, digits = 3) =>
  isNum(v) ? formatter({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v) : NONE();
export const fmtNum = (v) => (isNum(v) ? formatter({ maximumFractionDigits: 2 }).format(v) : NONE());
export const fmtPct = (v, digits = 1) =>
  isNum(v) ? formatter({ style: 'percent', maximumFractionDigits: digits }).format(v) : NONE();
export const fmtSeconds = (ms) => (isNum(ms) ? formatter({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) : NONE());
export const fmtDate = (d) => new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(d);

/** The label of a metric key; a time-to-event metric at a horizon (`auc@365`, `brier@2.5`) names its time. */
export function metricLabel(key) {
  const at = /^(auc|brier)@(.+)$/.exec(key);
  if (at) return t(`survival.metric_${at[1]}_at`, { time: at[2] });
  return has(`metric.${key}`) ? t(`metric.${key}`) : key;
}

export function modelLabel(kind) {
  return has(`model.${kind}`) ? t(`model.${kind}`) : String(kind);
}

/** A translated label, or the schema's one-line `doc` where no string exists, or the name. */
export function labelOr(key, doc, name) {
  return has(key) ? t(key) : doc || String(name);
}

/** The helpers every view module receives (one place, in the current language). */
export const ui = {
  h, t, has, fmtInt, fmtDec, fmtNum, fmtPct, fmtDate, fmtSeconds, labelOr,
  none: NONE,
  list: (items) => items.join(t('flow.list_sep')),
  modelLabel,
  metricLabel,
  get lang() { return locale(); },
};
