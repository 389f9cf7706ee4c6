// Helpers shared by the JavaScript test layers (wasm in Node, browser end-to-end).

/** A deep copy without timing fields (`timings`, `*_ms`), which legitimately differ per run. */
export function withoutTimings(value) {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([k]) => k !== 'timings' && !k.endsWith('_ms'))
      .map(([k, v]) => [k, withoutTimings(v)]));
  }
  return value;
}

const ALNUM = /[0-9A-Za-z]/;

/**
 * Does `value` stand in `text` as a value of its own, not inside a longer run of letters and
 * digits? A pseudonym is 16 random hex digits, so over 1,000 pseudonyms one of them contains a
 * given 8-digit record number by chance in about 0.2% of runs; that is no leak. A value next to
 * anything else (punctuation, space, CJK text, the start or end) counts.
 */
export function containsValue(text, value) {
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    const before = at > 0 ? text[at - 1] : '';
    const after = text[at + value.length] ?? '';
    const glued = (ALNUM.test(before) && ALNUM.test(value[0])) || (ALNUM.test(after) && ALNUM.test(value.at(-1)));
    if (!glued) return true;
  }
  return false;
}
