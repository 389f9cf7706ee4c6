// The page's one state object and its one writer. `store.update(patch | fn)` replaces top-level
// keys (a patch, or what `fn(state)` returns); every view subscribed to a key whose value changed
// is drawn again, once per update, in the order of the subscription table (app.js VIEWS). Nothing
// else assigns state: views read it and emit intents; actions compute new values and update.
//
// Values are replaced, never edited in place: the recipe is frozen (deeply) as it enters, so that
// an edit in place fails loudly instead of drawing a stale view.

function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `frozen`: the keys whose values are deeply frozen on entry. */
export function createStore(initial, { frozen = ['recipe'] } = {}) {
  let state = Object.freeze({ ...initial });
  const views = []; // {name, keys: Set, draw(state)}
  let drawing = false;
  let pendingKeys = new Set();

  function notify(changed) {
    for (const k of changed) pendingKeys.add(k);
    if (drawing) return; // an update made while drawing: drawn in the next pass
    drawing = true;
    try {
      while (pendingKeys.size) {
        const keys = pendingKeys;
        pendingKeys = new Set();
        for (const v of views) {
          if ([...v.keys].some((k) => keys.has(k))) v.draw(state);
        }
      }
    } finally {
      drawing = false;
    }
  }

  return {
    /** The current state (frozen at the top level; read it, never write it). */
    get state() { return state; },

    /** Apply a patch (or `fn(state) → patch`); redraws the views of the keys that changed. */
    update(patchOrFn) {
      const patch = typeof patchOrFn === 'function' ? patchOrFn(state) : patchOrFn;
      if (!patch) return;
      const changed = Object.keys(patch).filter((k) => !Object.is(state[k], patch[k]));
      if (!changed.length) return;
      for (const k of changed) if (frozen.includes(k)) deepFreeze(patch[k]);
      state = Object.freeze({ ...state, ...patch });
      notify(changed);
    },

    /** Subscribe `draw(state)` to `keys` (the subscription table is app.js VIEWS). */
    subscribe(name, keys, draw) {
      views.push({ name, keys: new Set(keys), draw });
    },

    /** Draw every view (start-up). */
    drawAll() {
      notify(views.flatMap((v) => [...v.keys]));
    },
  };
}
