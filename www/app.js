// Bedside page: start-up, the subscription table and the wiring of the controls. All computation
// (and the wasm module) lives in the workers (worker.js), reached only through api.js. The state
// is one object in the store (store.js): actions (actions.js) update it, and the views below,
// pure drawings of state, are redrawn when a key they read changes. All UI strings are in i18n/.
import { createActions, errorText, initialState } from './actions.js';
import { createApi } from './api.js';
import { applyActions, applyView } from './apply.js';
import { LANGS, loadFallback, t, ui, useLanguage } from './i18n.js';
import { exportFormatView, loadOptionsView } from './load-options.js';
import { profileView } from './profile-view.js';
import { initProtect, protectViews } from './protect.js';
import { historyView, readableView, recipeTextView, shareView } from './recipe-panel.js';
import { modelResultsView, resultsView } from './results-view.js';
import { runsView } from './runs-view.js';
import { leakageView } from './quality-view.js';
import { loadSchema } from './schema.js';
import { networkView, notesView, sectionsView, staticStrings, statusView, versionView } from './shell-view.js';
import { initFlow, renderFlow, stepFromAddress, stepStates, takeInPlace, writeStepAddress } from './stepbar.js';
import { createStore } from './store.js';
import { estimateView, initTrain, optionsView, progressView, runControls } from './train-view.js';
import { createEstimate } from './estimate.js';

// The single-file build (dist/bedside.html) sets BEDSIDE_EMBED: the worker as a blob: URL, the
// strings, the schema and the demo data inlined, so that the page works opened from disk with no
// requests.
const EMBED = globalThis.BEDSIDE_EMBED || null;
// A pool of workers, one per core up to 4 (`#workers=N` in the address overrides, for
// benchmarks); ordinary calls go to the first, a run is split across all.
const POOL_SIZE = Math.min(8, Number(new URLSearchParams(location.hash.slice(1)).get('workers')) || 0)
  || Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));

let actions = null;
const api = createApi({
  ...(EMBED
    ? { url: EMBED.workerUrl, type: 'classic' }
    : {
      url: new URL('./worker.js', import.meta.url),
      type: 'module',
      wasmUrl: new URL('./pkg/bedside_bg.wasm', import.meta.url),
      simdWasmUrl: new URL('./pkg/bedside_simd_bg.wasm', import.meta.url),
    }),
  size: POOL_SIZE,
  hooks: {
    onResources: (count, worker) => actions?.onWorkerResources(count, worker),
    workerError: (detail) => t('error.worker', { error: detail || t('error.unknown') }),
  },
});

const $ = (sel) => document.querySelector(sel);

/**
 * The subscription table: every view (and effect) with the state keys it reads, drawn in this
 * order when one of them changes. `lang` stands for the strings of the current language.
 */
function views(store, applyIntents) {
  const protect = protectViews(ui, actions);
  const estimate = createEstimate({ store, api });
  return [
    ['static strings', ['lang'], staticStrings(ui)],
    ['profile', ['profile', 'recipe', 'file', 'lang'], profileView(ui, actions)],
    ['options and feature steps', ['recipe', 'profile', 'lang'], optionsView(ui, actions.setFeatures)],
    ['recipe JSON', ['recipe', 'recipeError', 'recipeTyped', 'lang'], recipeTextView(ui)],
    ['leakage warnings', ['report', 'recipe', 'lang'], leakageView(ui, actions.applyFix)],
    ['results', ['report', 'reportPrevious', 'running', 'lang'], resultsView(ui, actions.selectResults)],
    ['model results: selections', ['resultsView'], modelResultsView(ui, actions.selectResults)],
    ['runs side by side', ['runs', 'runsCompare', 'report', 'running', 'file', 'profile', 'lang'], runsView(ui, actions)],
    ['apply a model', ['apply', 'report', 'runRecipe', 'lang'], applyView($('#apply'), ui, applyIntents)],
    ['status lines', ['status', 'lang'], statusView],
    ['version', ['version', 'lang'], versionView(ui)],
    ['sections and export buttons', ['profile', 'report', 'maskedCsv', 'recipe'], sectionsView],
    ['load: encoding and sheet', ['loadDetected', 'loadOptions', 'loadChoices', 'profile', 'loading', 'preview', 'lang'], loadOptionsView(ui, actions)],
    ['export: format', ['loadChoices', 'exportFormat', 'report', 'maskedCsv', 'lang'], exportFormatView(ui, actions)],
    ['run controls', ['running', 'loading', 'profile'], runControls],
    ['progress', ['progress', 'lang'], progressView(ui)],
    ['run estimate', ['estimate', 'running', 'lang'], estimateView(ui)],
    ['protect: operators', ['profile', 'recipe', 'lang'], protect.table],
    ['protect: preview', ['preview', 'protectArgError', 'profile', 'lang'], protect.preview],
    ['protect: privacy officer', ['preview', 'profile', 'recipe', 'frontierAuc', 'lang'], protect.officer],
    ['export: risk confirmation, external summary', ['report', 'riskConfirm', 'lang'], protect.exportOfficer],
    ['recipe in plain words', ['recipe', 'lang'], readableView(ui)],
    ['undo / redo', ['history', 'running', 'lang'], historyView(ui)],
    ['step bar', ['flow', 'file', 'profile', 'recipe', 'recipeInvalid', 'report', 'maskedCsv', 'preview', 'lang'], renderFlow],
    ['network', ['network', 'lang'], networkView(ui)],
    ['notes', ['notes', 'lang'], notesView],
    ['share link', ['shareLink'], shareView],
    // Effects: the preview follows the recipe; a blocked current step gives way.
    ['privacy preview (effect)', ['profile', 'recipe', 'recipeInvalid'], actions.schedulePreview],
    ['run estimate (effect)', ['profile', 'recipe', 'recipeInvalid', 'running'], estimate.schedule],
    ['reachable step (effect)', ['flow', 'profile', 'recipe', 'recipeInvalid', 'report'], actions.keepFlowReachable],
    ['step address (effect)', ['flow', 'profile'], followAddress],
  ];
}

// The step asked for in the address at start-up while it cannot be shown yet (no data loaded):
// shown once the data is in, if it can be then.
let askedStep = null;

/** The address follows the current step (a history entry per move, except moves made in place). */
function followAddress(state) {
  const push = !takeInPlace();
  if (askedStep) {
    if (!state.profile) return;
    const id = askedStep;
    askedStep = null;
    if (stepStates(state)[id].state !== 'blocked') {
      actions.goTo(id, { push: false });
      return;
    }
  }
  // Before any data the address stays as it was opened (no `#step=load` added to it).
  if (state.profile || stepFromAddress()) writeStepAddress(state.flow.current, push);
}

/** Back, Forward, or an address typed in: show the step it names. */
function onAddress(store) {
  const id = stepFromAddress();
  if (id && id !== store.state.flow.current) actions.goTo(id, { push: false });
}

/**
 * A box that scrolls sideways (a wide table in its .table-wrap, the step bar on a phone) must be
 * reachable with the keyboard, to scroll it with the arrow keys: it takes a tab stop while, and
 * only while, its content is wider than it (checked after each redraw and on resizes), named by
 * its table's caption or the nearest heading.
 */
function keepScrollersReachable() {
  let queued = false;
  const check = () => {
    queued = false;
    for (const box of document.querySelectorAll('.table-wrap, #steps')) {
      const scrolls = box.scrollWidth > box.clientWidth + 1 && box.getClientRects().length > 0;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.tabIndex = 0;
        box.dataset.scrollStop = 'true';
        if (box.id !== 'steps') {
          box.setAttribute('role', 'region');
          const caption = box.querySelector('caption')?.textContent?.trim();
          const heading = box.closest('section, details, figure, div[id]')?.querySelector('h2, h3, h4, summary, figcaption')?.textContent?.trim();
          box.setAttribute('aria-label', caption || heading || t('app.title'));
        }
      } else if (!scrolls && box.dataset.scrollStop) {
        box.removeAttribute('tabindex');
        delete box.dataset.scrollStop;
        if (box.id !== 'steps') { box.removeAttribute('role'); box.removeAttribute('aria-label'); }
      }
    }
  };
  const queue = () => {
    if (!queued) { queued = true; requestAnimationFrame(check); }
  };
  new MutationObserver(queue).observe(document.querySelector('main'), { childList: true, subtree: true });
  window.addEventListener('resize', queue);
  queue();
}

/** Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y redo, unless a text field has the focus (it has its own undo). */
function onShortcut(e) {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
  const key = e.key.toLowerCase();
  if (key !== 'z' && key !== 'y') return;
  const el = e.target;
  const textual = el instanceof HTMLTextAreaElement || el?.isContentEditable
    || (el instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'file', 'color'].includes(el.type));
  if (textual) return;
  e.preventDefault();
  if (key === 'y' || e.shiftKey) actions.redo();
  else actions.undo();
}

/** The controls written in index.html, wired to the actions. */
function wire() {
  const a = actions;
  const pickFile = (sel, fn) => $(sel).addEventListener('change', (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    fn(file);
  });
  $('#lang').addEventListener('change', (e) => a.setLanguage(e.target.value));
  pickFile('#file-input', a.loadFile);
  $('#load-demo').addEventListener('click', a.loadDemo);
  $('#load-followup-demo').addEventListener('click', a.loadFollowupDemo);

  const zone = $('#dropzone');
  const stop = (e) => { e.preventDefault(); e.stopPropagation(); };
  for (const type of ['dragenter', 'dragover']) zone.addEventListener(type, (e) => { stop(e); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', (e) => { stop(e); zone.classList.remove('dragging'); });
  zone.addEventListener('drop', (e) => {
    stop(e);
    zone.classList.remove('dragging');
    const files = e.dataTransfer?.files;
    if (!files || files.length !== 1) a.refuseDrop();
    else a.loadFile(files[0]);
  });
  // A file dropped outside the zone must not navigate away from the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  $('#target-select').addEventListener('change', (e) => a.setTarget(e.target.value || null));
  initTrain(ui, a);
  $('#recipe-json').addEventListener('input', (e) => a.typeRecipe(e.target.value));
  $('#recipe-json').addEventListener('blur', a.endTyping);
  $('#run').addEventListener('click', a.run);
  $('#cancel').addEventListener('click', a.cancel);

  $('#download-csv').addEventListener('click', () => a.exportFile('csv', ui));
  $('#download-report').addEventListener('click', () => a.exportFile('report', ui));
  // The Results step's predictions download (drawn by evaluation-view.js, redrawn with the results).
  $('#results').addEventListener('click', (e) => { if (e.target.closest('#download-predictions')) a.exportFile('predictions', ui); });
  for (const kind of ['privacy', 'model']) {
    $(`#download-${kind}-report`).addEventListener('click', () => a.exportFile(`${kind}_report`, ui));
    $(`#open-${kind}-report`).addEventListener('click', () => a.openReport(kind, ui));
  }
  $('#undo').addEventListener('click', a.undo);
  $('#redo').addEventListener('click', a.redo);
  document.addEventListener('keydown', onShortcut);
  $('#recipe-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('#recipe-section').scrollIntoView({ block: 'start' });
    $('#recipe-h').focus({ preventScroll: true });
  });
  $('#download-recipe').addEventListener('click', a.downloadRecipe);
  $('#share-recipe').addEventListener('click', a.shareLink);
  pickFile('#upload-recipe', a.uploadRecipe);
}

// The page stores nothing in the browser (no web storage, cookies or databases), not even the
// language: it follows the browser's language, or `#lang=zh` / `?lang=zh` in the address.
function initialLanguage() {
  const asked = new URLSearchParams(location.hash.slice(1)).get('lang') || new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(asked)) return asked;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

async function main() {
  initProtect(ui);
  await loadFallback();
  const lang = await useLanguage(initialLanguage());
  await loadSchema();
  const store = createStore(initialState(lang));
  actions = createActions({ store, api, embed: EMBED });
  const applyIntents = applyActions({ store, api, ui, errorText, download: actions.download, baseName: actions.baseName });
  initFlow(ui, () => store.state, actions);
  wire();
  keepScrollersReachable();
  const asked = stepFromAddress();
  if (asked && asked !== 'load') askedStep = asked;
  for (const [name, keys, draw] of views(store, applyIntents)) store.subscribe(name, keys, draw);
  store.drawAll();
  // The page scrolls to the step itself (below the sticky bar), not to where it was.
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  window.addEventListener('popstate', () => onAddress(store));
  window.addEventListener('hashchange', () => onAddress(store));
  // Start the engine now, so that start-up ends with it loaded.
  try {
    store.update({ version: await api.warm() });
    await actions.fetchLoadChoices();
  } catch { /* reported when the user loads data */ }
  actions.startNetworkWatch();
  // Served over http(s) (not the one-file build), keep working offline after this first visit.
  if ('serviceWorker' in navigator && location.protocol.startsWith('http') && !EMBED) {
    navigator.serviceWorker.register('./sw.js').catch(() => { /* offline use is a bonus */ });
  }
  document.body.dataset.ready = 'true';
}

main();
