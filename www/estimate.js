// The run's estimate before Run (issue #16): asked of the core (api.estimate, worker 0) 400 ms
// after the last edit of a runnable recipe, one at a time, never while a run goes on; the
// Train step draws it (train-view.js estimateView). State key `estimate`:
// {status: 'idle'|'busy'|'done'|'error', data, error, workers}.
const DEBOUNCE_MS = 400;

export const ESTIMATE_START = Object.freeze({ status: 'idle', data: null, error: null, workers: 1 });

/** The effect (subscribed to profile, recipe, recipeInvalid, running): `schedule(state)`. */
export function createEstimate({ store, api }) {
  let timer = null;
  let inFlight = false;
  let pending = null; // the recipe's JSON waiting to be estimated
  let last = null; // the recipe's JSON last estimated
  const set = (patch) => store.update((s) => ({ estimate: { ...(s.estimate || ESTIMATE_START), ...patch } }));

  const runnable = (s) => s.profile && s.recipe && !s.recipeInvalid && s.recipe.target
    && Array.isArray(s.recipe.models) && s.recipe.models.length > 0;

  function schedule(s) {
    if (!runnable(s)) {
      pending = null;
      last = null;
      if (s.estimate && s.estimate.status !== 'idle') set({ ...ESTIMATE_START });
      return;
    }
    const key = JSON.stringify(s.recipe);
    if (key === last || s.running) return;
    pending = key;
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  }

  async function ask() {
    const s = store.state;
    if (inFlight || pending == null || s.running || !runnable(s)) return;
    const key = pending;
    pending = null;
    inFlight = true;
    set({ status: 'busy' });
    let patch;
    try {
      const data = await api.estimate(JSON.parse(key));
      patch = { status: 'done', data, error: null, workers: api.size };
      last = key;
    } catch (err) {
      patch = api.isCancelled(err) ? { status: 'idle', data: null } : { status: 'error', data: null, error: err?.message || String(err) };
      if (!api.isCancelled(err)) last = key;
    } finally {
      inFlight = false;
      set(patch);
      if (pending != null) ask();
    }
  }

  return { schedule };
}
