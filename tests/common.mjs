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
