// What the user can do, and what follows: each action computes new values and hands them to the
// store (the only writer of state), calling the core through api.js. Recipe edits go through
// `editRecipe`, which also records the edit for undo; the privacy preview follows the recipe.
import { APPLY_START } from './apply.js';
import { RecipeHistory, describeChange } from './history.js';
import { fmtDec, fmtInt, formatter, has, inLanguage, t, useLanguage } from './i18n.js';
import { renderMessage } from './message.js';
import {
  withEvaluation, withIdentifierAction, withModels, withOperator, withPinnedLevels, withPrivacyArgument, withRole, withSeed,
  withStep, withTarget,
} from './recipe-edit.js';
import { measurement } from './officer.js';
import { withQualityFix } from './quality-view.js';
import { changeText } from './recipe-panel.js';
import { RESULTS_VIEW_START } from './results.js';
import { entry, withoutDataValues } from './schema.js';
import { externalReport, modelReport, privacyReport, reportHtml, showReport } from './reports.js';
import { FLOW_START, showStep, stepStates, unblockedFlow, withCurrent, withExported, moveInPlace, writeStepAddress } from './stepbar.js';
import { offeredModels } from './train-view.js';

const PREVIEW_ROWS = 5;
/** Notes shown in the review of a scrub_text step. */
const opFacts = (op) => entry('privacy', op)?.facts;
const NOTES_ROWS = 5;
const DEBOUNCE_MS = 200;
// The core holds the whole table in wasm memory (at most 4 GiB, and a parsed table takes several
// times the file's size), so larger files are refused before they can take the tab down.
const MAX_FILE_BYTES = 512 * 1024 * 1024;

const PREVIEW_START = Object.freeze({ status: 'idle', data: null, error: null, version: 0, pending: false });

/** The state at start-up (one object; see store.js). */
export function initialState(lang) {
  return {
    lang,
    version: null,
    file: null, // {name}
    profile: null,
    recipe: null,
    recipeTyped: false, // the recipe came from the JSON box (which then keeps its text)
    recipeInvalid: false,
    recipeError: null, // {key, params} while the JSON box does not parse
    history: { undo: null, redo: null }, // what Undo / Redo would do ({key, params})
    report: null,
    // The report is of an earlier run, kept while a new run goes on (and after it was cancelled or
    // failed); a finished run replaces it.
    reportPrevious: false,
    resultsView: RESULTS_VIEW_START, // the sort, model and threshold picked in the model results
    runRecipe: null, // the recipe of this report, for exporting its models
    // The run's masked table (the CLI's --out x.csv) and out-of-fold predictions (its
    // --predictions file): Blobs the core wrote in pieces, never strings (a 1,000,000-row table
    // is about 250 MB; a Blob goes between threads by reference and lives in the browser's store).
    maskedCsv: null,
    predictionsCsv: null,
    predictionsRows: null, // the lines of predictionsCsv after its header
    running: false,
    loading: false,
    progress: { max: 1, value: 0, stage: null, etaMs: null },
    status: { load: null, run: null, upload: null },
    preview: PREVIEW_START,
    protectArgError: null,
    flow: FLOW_START,
    notes: { flow: null, export: null, share: null },
    shareLink: null,
    network: null,
    apply: APPLY_START,
    frontierAuc: {}, // {JSON of a frontier point's level_index: {status, value, error}}
    riskConfirm: null, // {what}: an export above the risk threshold waits for the user's confirmation
    reportLang: '', // the language of downloaded reports ('' = the page's)
    // Every run finished since the page was opened, oldest first, in memory only (never stored):
    // {n, at, file, recipe, report, maskedCsv, predictionsCsv, predictionsRows}. Loading other
    // data keeps them.
    runs: [],
    runsCompare: { a: null, b: null }, // the two runs compared (null: the last two)
    // The Load step's reading choices (load-options.js): the encoding and sheet asked ('': the
    // detected encoding, the first sheet with data); what the automatic read of this file found
    // ({encoding: {name, confidence}, sheets: [names] or null}, null before it); what the core
    // offers ({encodings, formats}); the format the masked data is exported in.
    loadOptions: { encoding: '', sheet: '' },
    loadDetected: null,
    loadChoices: { encodings: [], formats: [] },
    exportFormat: 'csv',
  };
}

export function errorText(err) {
  if (err && typeof err.code === 'string' && err.code) return renderMessage(err, err.message);
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return t('error.unknown');
}

export function createActions({ store, api, embed }) {
  const history = new RecipeHistory();
  const get = () => store.state;
  const setStatus = (which, render, kind = 'info') =>
    store.update((s) => ({ status: { ...s.status, [which]: render ? { render, kind } : null } }));
  const note = (which, text) => store.update((s) => ({ notes: { ...s.notes, [which]: () => text } }));
  const historyState = () => ({ undo: history.nextUndo(), redo: history.nextRedo() });

  // ───────────────────────────── recipe edits and undo ─────────────────────────────

  /** The recipe is now `recipe` (from a control): record it (`change` {key, params}; by default what differs). */
  function editRecipe(recipe, change = null, group = null, typed = false) {
    const before = history.current ? JSON.parse(history.current) : null;
    if (recipe && typeof recipe === 'object') history.record(recipe, change || describeChange(before, recipe), group);
    store.update({
      recipe, recipeTyped: typed, recipeInvalid: false, recipeError: null, protectArgError: null, history: historyState(),
    });
  }

  const recipe = () => get().recipe;
  const otherGroup = () => t('protect.other_group');

  function typeRecipe(text) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      store.update({ recipeInvalid: true, recipeError: { key: 'options.recipe_error', params: { error: e.message } } });
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      store.update({ recipeInvalid: true, recipeError: { key: 'options.recipe_not_object', params: {} } });
      return;
    }
    editRecipe(parsed, { key: 'history.typed', params: {} }, 'typed', true);
  }

  /** Undo (or redo) the last recipe edit. */
  function moveInHistory(direction) {
    const s = get();
    if (s.running || !s.profile) return;
    const change = direction === 'undo' ? history.nextUndo() : history.nextRedo();
    const restored = direction === 'undo' ? history.undo() : history.redo();
    if (!restored) return;
    store.update({
      recipe: restored, recipeTyped: false, recipeInvalid: false, recipeError: null, protectArgError: null,
      history: historyState(),
      notes: { ...s.notes, flow: () => t(direction === 'undo' ? 'history.undone' : 'history.redone', { what: changeText(change, { t, has }) }) },
    });
  }

  // ───────────────────────────── privacy preview ─────────────────────────────
  // The Protect panel's before/after preview follows the recipe: asked for 200 ms after the last
  // edit, one at a time, the newest edit last.

  let timer = null;
  let inFlight = false;
  let pendingKey = null;
  let lastKey = null;
  const setPreview = (patch) => store.update((s) => ({ preview: { ...s.preview, ...patch } }));

  function schedulePreview(s) {
    if (!s.profile || !s.recipe || s.recipeInvalid) return;
    const key = JSON.stringify([s.recipe.privacy, s.recipe.columns, s.recipe.risk, s.recipe.seed, s.recipe.target]);
    if (key === lastKey && !s.preview.error) return;
    pendingKey = key;
    setPreview({ pending: true });
    clearTimeout(timer);
    timer = setTimeout(runPreview, DEBOUNCE_MS);
  }

  async function runPreview() {
    if (inFlight || pendingKey == null || get().running) return;
    const key = pendingKey;
    pendingKey = null;
    inFlight = true;
    const serial = loadSerial; // a preview of a file since read again (another encoding or sheet) is dropped
    // Only the privacy part matters; models and features are left out so the preview stays cheap.
    const r = get().recipe;
    const cheap = { version: r.version ?? 1, seed: r.seed ?? 0, columns: r.columns ?? {}, privacy: r.privacy ?? [] };
    if (r.target) cheap.target = r.target;
    if (r.risk) cheap.risk = r.risk;
    setPreview({ status: 'busy' });
    let patch;
    try {
      const data = await api.preview(cheap, PREVIEW_ROWS);
      // A scrub_text step also gets a sample of its notes with each replacement shown.
      const scrub = cheap.privacy.findIndex((s) => opFacts(s.op)?.scrubs_text);
      if (scrub >= 0) data.notes = await api.notesReview(cheap, scrub, NOTES_ROWS);
      patch = { status: 'done', data, error: null, version: get().preview.version + 1 };
      lastKey = key;
    } catch (err) {
      if (!api.isCancelled(err)) {
        patch = { status: 'error', error: errorText(err) || String(err), version: get().preview.version + 1 };
        lastKey = key;
      } else {
        patch = { status: 'idle' };
      }
    } finally {
      inFlight = false;
      if (serial !== loadSerial) {
        patch = { status: 'idle' };
        lastKey = null; // the new read is previewed even with the same recipe
      }
      setPreview({ ...patch, pending: pendingKey != null });
      if (pendingKey != null) runPreview();
    }
  }

  function resetPreview() {
    lastKey = null;
    pendingKey = null;
    return { ...PREVIEW_START, version: get().preview.version };
  }

  // ───────────────────────────── loading data ─────────────────────────────

  // The file loaded last ({data, name}), read again when the user picks another encoding or sheet;
  // `loadSerial` counts the reads, so that a preview of an earlier read is not shown.
  let source = null;
  let loadSerial = 0;

  /**
   * `data`: a File (read by the worker in pieces) or the bytes of a file; `options`: the Load
   * step's {encoding, sheet} for a second read of the same file (none: a new file, read with the
   * detected encoding and its first sheet with data).
   */
  async function loadData(data, name, options = null) {
    if (get().running) api.cancel();
    source = { data, name };
    loadSerial += 1;
    const fresh = !options;
    history.reset(null);
    // The previous recipe stays (its views are hidden without a profile) until the new one comes.
    store.update((s) => ({
      loading: true, file: { name }, profile: null,
      preview: resetPreview(), flow: FLOW_START, history: historyState(), report: null, reportPrevious: false, maskedCsv: null, predictionsCsv: null, frontierAuc: {}, riskConfirm: null,
      status: { load: { render: () => t('load.loading', { name }), kind: 'busy' }, run: null, upload: null },
      ...(fresh ? { loadOptions: { encoding: '', sheet: '' }, loadDetected: null } : { loadOptions: { encoding: '', sheet: '', ...options } }),
    }));
    try {
      await api.load(data, name, (p) => {
        if (p?.stage === 'read' && p.total > 0) {
          const pct = formatter({ style: 'percent', maximumFractionDigits: 0 }).format(p.done / p.total);
          setStatus('load', () => `${t('load.loading', { name })} ${pct}`, 'busy');
        }
      }, fresh ? null : readOptions(options));
      const profile = await api.profile();
      if (fresh || !get().loadDetected) store.update({ loadDetected: detectedOf(profile) });
      const columns = Array.isArray(profile?.columns) ? profile.columns : [];
      const suggested = columns.find((c) => c.suggested_role === 'target');
      let recipe = await api.suggest(suggested ? suggested.name : null);
      recipe = recipe && typeof recipe === 'object' ? recipe : {};
      history.reset(recipe);
      let loaded = () => t('load.loaded', { name });
      const linked = recipeFromAddress();
      if (linked) {
        recipe = linked.recipe;
        history.record(recipe, { key: 'history.shared', params: {} });
        loaded = () => [t('load.loaded', { name }), t('share.applied'), shortenedText(linked.fill, 'share.fill_in')].filter(Boolean).join(' ');
      }
      store.update((s) => ({
        profile, recipe, recipeTyped: false, recipeInvalid: false, recipeError: null,
        history: historyState(), flow: withCurrent(s.flow, 'profile'),
        status: { ...s.status, load: { render: loaded, kind: 'ok' } },
      }));
      if (get().version == null) api.version().then((version) => store.update({ version }), () => {});
    } catch (err) {
      store.update({ file: null, recipe: null, recipeTyped: false, recipeInvalid: false, recipeError: null });
      if (!api.isCancelled(err)) setStatus('load', () => t('load.error', { name, error: errorText(err) }), 'error');
    } finally {
      store.update({ loading: false });
    }
  }

  /** {encoding, sheet} as the core takes them (null: detected / first sheet with data). */
  const readOptions = (o) => ({ encoding: o?.encoding || null, sheet: o?.sheet || null });
  /** What the automatic read found: the encoding (null for a workbook) and a workbook's sheets. */
  function detectedOf(profile) {
    const input = profile?.input || {};
    const e = input.encoding;
    return {
      encoding: e && e.name !== 'binary' ? { name: e.name, confidence: e.confidence } : null,
      sheets: Array.isArray(input.sheet?.sheets) ? input.sheet.sheets : null,
    };
  }

  /** Read the loaded file again with another encoding or sheet (`patch`: {encoding} or {sheet}; '' = automatic). */
  async function setReadOption(patch) {
    if (!source || get().loading) return;
    await loadData(source.data, source.name, { ...get().loadOptions, ...patch });
  }

  /** The encodings and export formats the core offers (asked once, at start-up). */
  async function fetchLoadChoices() {
    try {
      const c = await api.loadChoices();
      store.update({ loadChoices: { encodings: c?.encodings ?? [], formats: c?.formats ?? [] } });
    } catch { /* the selects then offer only the automatic read and CSV */ }
  }

  async function loadFile(file) {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      const mb = (n) => formatter({ maximumFractionDigits: 0 }).format(n / (1024 * 1024));
      setStatus('load', () => t('load.too_large', { name: file.name, size: mb(file.size), max: mb(MAX_FILE_BYTES) }), 'error');
      return;
    }
    try {
      await loadData(file, file.name); // the worker reads the file itself, in pieces
    } catch (err) {
      setStatus('load', () => t('load.error', { name: file.name, error: errorText(err) }), 'error');
    }
  }

  /** Load one of the shipped demo tables: `name` under ./demo/, or the one-file build's `embed[key]`. */
  async function loadShippedDemo(name, key) {
    try {
      let bytes;
      if (embed) {
        bytes = new TextEncoder().encode(embed[key]);
      } else {
        const res = await fetch(`./demo/${name}`);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      }
      await loadData(bytes, name);
    } catch (err) {
      setStatus('load', () => t('load.fetch_error', { error: errorText(err) }), 'error');
    }
  }
  const loadDemo = () => loadShippedDemo('patients.csv', 'demo');
  /** The follow-up demo: a time-to-event outcome (scripts/gen-demo-survival.mjs). */
  const loadFollowupDemo = () => loadShippedDemo('followup.csv', 'followup');

  // ───────────────────────────── running ─────────────────────────────

  function onProgress(p) {
    const total = typeof p?.total === 'number' && Number.isFinite(p.total) && p.total > 0 ? p.total : null;
    const done = typeof p?.done === 'number' && Number.isFinite(p.done) ? p.done : 0;
    // The bar: the share of the whole run's work done (scheduler.js), else done of total.
    const bar = Number.isFinite(p?.bar?.max) && p.bar.max > 0 && Number.isFinite(p.bar.value) ? p.bar : null;
    store.update((s) => ({
      progress: {
        max: bar ? bar.max : total ?? s.progress.max,
        value: bar ? Math.min(bar.value, bar.max) : total ? Math.min(done, total) : s.progress.value,
        stage: p?.stage ?? '',
        etaMs: typeof p?.eta_ms === 'number' && Number.isFinite(p.eta_ms) ? p.eta_ms : null,
      },
      status: {
        ...s.status,
        run: {
          kind: 'running',
          render: () => {
            const known = p?.stage && has(`stage.${p.stage}`);
            const stage = known ? t(`stage.${p.stage}`) : (p?.stage || '');
            let base = total ? t('run.stage', { stage, done: fmtInt(done), total: fmtInt(total) }) : stage;
            // What the core is doing now (fit, predict, importance, ...), when it says.
            if (p?.phase && p.phase !== p.stage && has(`phase.${p.phase}`)) base = `${base} — ${t(`phase.${p.phase}`)}`;
            return !known && p?.message ? `${base} — ${p.message}` : base;
          },
        },
      },
    }));
  }

  async function run() {
    const s = get();
    if (s.running) return;
    if (!s.profile) return setStatus('run', () => t('run.need_data'), 'error');
    if (s.recipeInvalid) return setStatus('run', () => t('run.fix_recipe'), 'error');
    if (!s.recipe?.target) return setStatus('run', () => t('run.need_target'), 'error');
    if (!Array.isArray(s.recipe.models) || !s.recipe.models.length) return setStatus('run', () => t('run.need_model'), 'error');
    const recipe = structuredClone(s.recipe);
    store.update((st) => ({
      running: true, reportPrevious: st.report != null,
      progress: { max: 1, value: 0, stage: null, etaMs: null },
      status: { ...st.status, run: { render: () => t('run.starting'), kind: 'running' } },
    }));
    let patch;
    try {
      const out = await api.run(recipe, onProgress);
      const seconds = (out.elapsed_ms ?? 0) / 1000;
      // The run's files, shown now and kept with the run.
      const files = { maskedCsv: out.masked_csv ?? null, predictionsCsv: out.predictions_csv ?? null, predictionsRows: out.predictions_rows ?? null };
      patch = (st) => ({
        report: out.report, reportPrevious: false, runRecipe: recipe, ...files, resultsView: RESULTS_VIEW_START,
        runs: [...st.runs, { n: st.runs.length + 1, at: Date.now(), file: st.file?.name ?? null, recipe, report: out.report, ...files }],
        runsCompare: { a: null, b: null },
        progress: { ...st.progress, value: st.progress.max, etaMs: null },
        flow: withCurrent(st.flow, 'results'),
        status: { ...st.status, run: { render: () => t('run.done', { seconds: fmtDec(seconds, 2), workers: fmtInt(out.workers ?? 1) }), kind: 'done' } },
      });
    } catch (err) {
      const status = api.isCancelled(err)
        ? { render: () => t('run.cancelled'), kind: 'cancelled' }
        : { render: () => t('run.error', { error: errorText(err) }), kind: 'error' };
      patch = (st) => ({ progress: { ...st.progress, value: 0, etaMs: null }, status: { ...st.status, run: status } });
    }
    store.update((st) => ({ ...patch(st), running: false }));
  }

  function cancel() {
    if (get().running) api.cancel();
  }

  async function uploadRecipe(file) {
    if (!file) return;
    setStatus('upload', null);
    let uploaded;
    try {
      uploaded = JSON.parse(await file.text());
      if (!uploaded || typeof uploaded !== 'object' || Array.isArray(uploaded)) throw new Error(t('options.recipe_not_object'));
    } catch (err) {
      setStatus('upload', () => t('export.upload_error', { error: errorText(err) }), 'error');
      return;
    }
    if (!get().profile) {
      setStatus('upload', () => t('run.need_data'), 'error');
      return;
    }
    editRecipe(uploaded, { key: 'history.upload', params: { name: file.name } });
    await run();
  }

  /** Show run `n` (of the data loaded now) in Results and Export: its report, models and masked file. */
  function showRun(n) {
    const s = get();
    const r = s.runs.find((x) => x.n === n);
    if (!r || s.running || r.file !== s.file?.name) return;
    store.update((st) => ({
      report: r.report, reportPrevious: false, runRecipe: r.recipe, maskedCsv: r.maskedCsv, predictionsCsv: r.predictionsCsv ?? null, predictionsRows: r.predictionsRows ?? null, resultsView: RESULTS_VIEW_START,
      riskConfirm: null, flow: withCurrent(st.flow, 'results'),
    }));
  }

  // ───────────────────────────── exports ─────────────────────────────

  const baseName = () => (get().file?.name || 'bedside').replace(/\.[^.]*$/, '') || 'bedside';
  const exported = (what) => store.update((s) => ({ flow: withExported(s.flow, what) }));

  /** Saves `data` (text, bytes or a Blob) as `filename` of media type `type`. */
  function download(filename, data, type) {
    const url = URL.createObjectURL(new Blob([data], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  const REPORTS = { privacy: privacyReport, model: modelReport, external: externalReport };

  /** The run's data is above the recipe's risk threshold and nobody accepted that in the recipe. */
  const unacceptedRisk = (s) => !!s.report && measurement(s.report.privacy)?.above === true && !s.report.recipe?.risk?.accept;

  function exportFile(what, ui) {
    const s = get();
    if (what === 'csv') {
      if (s.maskedCsv == null) return;
      if (unacceptedRisk(s)) {
        store.update({ riskConfirm: { what } });
        return;
      }
      const format = s.loadChoices.formats.find((f) => f.name === s.exportFormat);
      if (!format || format.name === 'csv') {
        // The run's CSV is the core's CSV export already (the writer behind `--out x.csv`).
        download(`${baseName()}-masked.csv`, s.maskedCsv, 'text/csv;charset=utf-8');
      } else {
        // Other formats: the core writes them from the run's CSV (as `--out x.xlsx` / `--bom`).
        api.exportMasked(s.maskedCsv, format.name)
          .then((bytes) => download(`${baseName()}-masked.${format.extension}`, bytes, format.media_type))
          .catch((err) => note('export', errorText(err)));
      }
    } else if (what === 'predictions') {
      // Out-of-fold predictions: row index, split, model index, outcome, score; no identifier.
      if (s.predictionsCsv == null) return;
      download(`${baseName()}-predictions.csv`, s.predictionsCsv, 'text/csv;charset=utf-8');
    } else if (what === 'report') {
      if (!s.report) return;
      download(`${baseName()}-report.json`, JSON.stringify(s.report, null, 2), 'application/json');
    } else {
      if (!s.report) return;
      const kind = what.replace(/_report$/, '');
      const lang = s.reportLang || s.lang;
      inLanguage(lang, (lui) => reportHtml(REPORTS[kind](s.report, lui)))
        .then((html) => download(`${baseName()}-${kind}-report.${lang}.html`, html, 'text/html;charset=utf-8'))
        .catch((err) => note('export', errorText(err)));
    }
    exported(what);
  }

  /** Open a printable report in a new tab (the user prints it from there). */
  function openReport(kind, ui) {
    const s = get();
    if (!s.report) return;
    const win = window.open('', '_blank');
    if (!win) {
      note('export', t('export.popup_blocked'));
    } else {
      inLanguage(s.reportLang || s.lang, (lui) => REPORTS[kind](s.report, lui))
        .then((doc) => showReport(win, doc))
        .catch((err) => note('export', errorText(err)));
      note('export', t('export.opened'));
    }
    exported(`${kind}_report`);
  }

  /**
   * Export above the threshold, confirmed: the reason (and who accepts) goes into the recipe as
   * `risk.accept`, the recipe runs again so that the Report's audit records it (op
   * `accept_risk`), and the file is then downloaded from that run.
   */
  async function acceptRisk(reason, by, ui) {
    const s = get();
    const what = s.riskConfirm?.what;
    const text = String(reason ?? '').trim();
    if (!what || !text) return;
    const accept = { reason: text };
    if (String(by ?? '').trim()) accept.by = String(by).trim();
    editRecipe({ ...structuredClone(s.recipe), risk: { ...(s.recipe.risk || {}), accept } }, { key: 'history.accept_risk', params: {} });
    store.update({ riskConfirm: null });
    await run();
    if (get().report?.recipe?.risk?.accept) exportFile(what, ui);
  }

  // ───────────────────────────── the frontier: a model's AUC at a point ─────────────────────────────

  let aucRunning = null;
  const pointKey = (levels) => JSON.stringify(levels || {});
  const setAuc = (key, value) => store.update((s) => ({ frontierAuc: { ...s.frontierAuc, [key]: value } }));

  /** The first model's cross-validated ROC-AUC with the k_anonymize step pinned at `point` (one at a time; cancellable). */
  async function estimateAuc(point) {
    const s = get();
    const r = s.recipe;
    if (!r || s.running || aucRunning || !Array.isArray(r.models) || !r.models.length || !r.target) {
      if (!r?.target || !r?.models?.length) setAuc(pointKey(point.level_index), { status: 'error', error: t('run.need_target') });
      return;
    }
    const key = pointKey(point.level_index);
    const recipe = structuredClone(withPinnedLevels(r, point.level_index));
    recipe.models = [r.models[0]];
    aucRunning = key;
    setAuc(key, { status: 'busy' });
    try {
      const out = await api.run(recipe, null);
      const stat = out.report?.models?.[0]?.metrics?.roc_auc;
      const value = stat?.pooled ?? stat?.mean;
      setAuc(key, typeof value === 'number' ? { status: 'done', value, model: r.models[0].kind } : { status: 'error', error: t('officer.frontier_auc_none') });
    } catch (err) {
      setAuc(key, api.isCancelled(err) ? undefined : { status: 'error', error: errorText(err) });
    } finally {
      aucRunning = null;
    }
  }

  function cancelAuc() {
    if (aucRunning) api.cancel();
  }

  function downloadRecipe() {
    const r = get().recipe;
    if (r) download(`${baseName()}-recipe.json`, JSON.stringify(r, null, 2), 'application/json');
  }

  // `#recipe=<base64url JSON>&fill=<base64url JSON>`: the recipe without any value from the data
  // (every argument the schema marks `data_values`, and pseudonymization keys, are left out) and
  // the list of what was left out, so that whoever opens the link knows what to fill in.
  function shareLink() {
    const { recipe: shared, shortened } = withoutDataValues(get().recipe);
    let link = `${location.href.split('#')[0]}#recipe=${toBase64Url(JSON.stringify(shared))}`;
    if (shortened.length) link += `&fill=${toBase64Url(JSON.stringify(shortened))}`;
    store.update({ shareLink: link });
    document.querySelector('#share-link').select();
    const said = (key) => () => [t(key), shortenedText(shortened, 'share.shortened')].filter(Boolean).join(' ');
    const say = (key) => store.update((s) => ({ notes: { ...s.notes, share: said(key) } }));
    say('share.select');
    navigator.clipboard?.writeText(link).then(() => say('share.copied'), () => say('share.select'));
  }

  /** "These steps need values filled in: ..." for `shortened` (empty when nothing was left out). */
  function shortenedText(shortened, key) {
    if (!Array.isArray(shortened) || !shortened.length) return '';
    const list = shortened.map((s) => `${s.step === 'recipe' ? t('share.recipe_fields') : `${s.step} ${s.op}`} (${s.args.join(', ')})`);
    return t(key, { steps: list.join('; ') });
  }

  // ───────────────────────────── language, flow, network ─────────────────────────────

  async function setLanguage(lang) {
    store.update({ lang: await useLanguage(lang) });
  }

  /**
   * Go to step `id`: make it current, scroll to its section and move focus to its heading.
   * `push`: add a history entry for its address (`#step=ID`); false when the address already
   * says so (Back / Forward, an address typed in).
   */
  function goTo(id, { push = true } = {}) {
    const s = get();
    const step = stepStates(s)[id];
    if (step.state === 'blocked') {
      note('flow', t('flow.cannot', { step: t(`step.${id}`), reason: t(step.reason) }));
      return false;
    }
    writeStepAddress(id, push);
    store.update({ flow: withCurrent(s.flow, id) });
    showStep(id);
    note('flow', '');
    return true;
  }

  /** A blocked current step gives way (subscribed to what decides the steps' states). */
  function keepFlowReachable(s) {
    const flow = unblockedFlow(s);
    if (flow) {
      moveInPlace();
      store.update({ flow });
    }
  }

  // Requests made since start-up, as the browser itself records them (Resource Timing), in this
  // page and in every worker: each worker reports its count as each request happens (and with
  // every answer), counted from its own start-up; the indicator shows the sum over every worker
  // ever started, replaced ones included. Start-up ends once the workers have loaded the engine;
  // after that the count should stay 0 (loading the demo data is one request to this page's own
  // server).
  const network = { since: null, page: [], workers: new Map(), worker: 0 };
  const publishNetwork = () => {
    if (network.since !== null) store.update({ network: { page: [...network.page], worker: network.worker } });
  };

  function startNetworkWatch() {
    network.since = performance.now();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= network.since) network.page.push(e.name);
      publishNetwork();
    }).observe({ type: 'resource', buffered: true });
    publishNetwork();
  }

  /** Worker `worker` has made `count` requests since its start-up (counts only grow). */
  function onWorkerResources(count, worker = 0) {
    network.workers.set(worker, Math.max(network.workers.get(worker) || 0, count));
    network.worker = [...network.workers.values()].reduce((a, b) => a + b, 0);
    publishNetwork();
  }

  return {
    // recipe
    setRole: (name, role) => editRecipe(withRole(recipe(), name, role)),
    setIdentifierAction: (name, action) => editRecipe(withIdentifierAction(recipe(), name, action)),
    setTarget: (name) => editRecipe(withTarget(recipe(), name || null)),
    setOperator: (name, op) => editRecipe(withOperator(recipe(), name, op, { profile: get().profile, otherGroup: otherGroup() })),
    setArgument: (index, field, value) => editRecipe(withPrivacyArgument(recipe(), index, field, value)),
    badArgument: (field) => store.update({ protectArgError: field }),
    setFeatures: (next) => editRecipe(next),
    setModels: (kinds) => editRecipe(withModels(recipe(), offeredModels(), kinds)),
    setEvaluation: (method, fields) => editRecipe(withEvaluation(recipe(), method, fields)),
    setSeed: (raw) => editRecipe(withSeed(recipe(), raw)),
    typeRecipe,
    endTyping: () => history.endGroup(),
    undo: () => moveInHistory('undo'),
    redo: () => moveInHistory('redo'),
    schedulePreview,
    // data and runs
    loadFile, loadDemo, loadFollowupDemo, run, cancel, uploadRecipe,
    refuseDrop: () => setStatus('load', () => t('load.not_csv'), 'error'),
    // exports
    exportFile, openReport, downloadRecipe, shareLink, download, baseName,
    // the Load step's encoding and sheet, the export format (load-options.js)
    setReadOption, fetchLoadChoices, setExportFormat: (name) => store.update({ exportFormat: name || 'csv' }),
    acceptRisk, cancelRiskConfirm: () => store.update({ riskConfirm: null }),
    // the privacy officer's views
    addStep: (step) => editRecipe(withStep(recipe(), step)),
    applyFix: (fix) => editRecipe(withQualityFix(recipe(), fix)),
    usePoint: (point) => editRecipe(withPinnedLevels(recipe(), point ? point.level_index : null)),
    setRisk: (patch) => editRecipe(withRisk(recipe(), patch)),
    setReportLang: (lang) => store.update({ reportLang: lang || '' }),
    estimateAuc, cancelAuc,
    selectResults: (patch) => store.update((s) => ({ resultsView: { ...s.resultsView, ...patch } })),
    // runs side by side
    showRun, compareRuns: (patch) => store.update((s) => ({ runsCompare: { ...s.runsCompare, ...patch } })),
    // language, flow, network
    setLanguage, goTo, setCurrent: (id) => store.update((s) => ({ flow: withCurrent(s.flow, id) })), keepFlowReachable,
    startNetworkWatch, onWorkerResources,
  };
}

/**
 * The recipe with `risk` fields set (`undefined` removes one: population, population_table);
 * an empty `risk` is left out.
 */
export function withRisk(recipe, patch) {
  const next = structuredClone(recipe);
  const risk = { ...(next.risk || {}), ...patch };
  for (const [k, v] of Object.entries(risk)) if (v === undefined) delete risk[k];
  if (Object.keys(risk).length) next.risk = risk;
  else delete next.risk;
  return next;
}

// ───────────────────────────── share a recipe as a link ─────────────────────────────

function toBase64Url(text) {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * A recipe passed in the address (`#recipe=...`), applied to the next file loaded, with `fill`:
 * the arguments the link left out because they hold values from the data ([] when none).
 */
function recipeFromAddress() {
  const params = new URLSearchParams(location.hash.slice(1));
  const raw = params.get('recipe');
  if (!raw) return null;
  try {
    const recipe = JSON.parse(fromBase64Url(raw));
    if (!recipe || typeof recipe !== 'object' || Array.isArray(recipe)) return null;
    let fill = [];
    try {
      const f = params.get('fill');
      const parsed = f ? JSON.parse(fromBase64Url(f)) : [];
      fill = (Array.isArray(parsed) ? parsed : []).filter((x) => x && typeof x.step === 'string' && Array.isArray(x.args))
        .map((x) => ({ step: x.step, op: String(x.op ?? ''), args: x.args.map(String) }));
    } catch {
      fill = [];
    }
    return { recipe, fill };
  } catch {
    return null;
  }
}
