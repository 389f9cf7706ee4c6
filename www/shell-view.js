// The page's frame: static strings (data-i18n), the version, the three status lines, which
// sections show and which export buttons are enabled, the network indicator and the short notes
// (flow, export, share). Each a pure drawing of state.
const $ = (sel) => document.querySelector(sel);

export function staticStrings(ui) {
  return function drawStatic(state) {
    document.documentElement.lang = ui.lang;
    document.title = `${ui.t('app.title')} — ${ui.t('app.tagline')}`;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = ui.t(el.dataset.i18n);
    $('#lang').value = state.lang;
  };
}

export function versionView(ui) {
  return (state) => {
    $('#version').textContent = state.version ? ui.t('app.version', { version: state.version }) : '';
  };
}

/** A status is `{render() → text, kind}` (a thunk, so that it follows the language) or null. */
export function statusView(state) {
  for (const [which, sel] of [['load', '#load-status'], ['run', '#run-status'], ['upload', '#upload-status']]) {
    const el = $(sel);
    const status = state.status[which];
    el.textContent = status ? status.render() : '';
    el.dataset.state = status ? status.kind : 'idle';
    el.classList.toggle('error', !!status && status.kind === 'error');
  }
}

export function sectionsView(state) {
  const loaded = !!state.profile;
  for (const id of ['#profile-section', '#features-section', '#train-section', '#export-section', '#recipe-section']) $(id).hidden = !loaded;
  $('#results-section').hidden = !state.report;
  $('#download-csv').disabled = !state.report || state.maskedCsv == null;
  $('#download-report').disabled = !state.report;
  for (const id of ['#download-privacy-report', '#open-privacy-report']) $(id).disabled = !state.report;
  for (const id of ['#download-model-report', '#open-model-report']) $(id).disabled = !state.report?.models?.length;
  $('#download-recipe').disabled = !state.recipe;
  $('#export-note').hidden = !!state.report;
}

/** `state.network`: {page: [urls the page fetched since start-up], worker: count} or null before start-up ends. */
export function networkView(ui) {
  return function drawNetwork(state) {
    const el = $('#network');
    const network = state.network;
    if (!el || !network) return;
    const count = network.page.length + network.worker;
    const foreign = network.page.filter((u) => { try { return new URL(u).origin !== location.origin; } catch { return false; } });
    el.dataset.count = String(count);
    el.dataset.state = foreign.length ? 'foreign' : count ? 'local' : 'none';
    el.textContent = ui.t('network.count', { count: ui.fmtInt(count) });
    el.title = network.page.length ? network.page.join('\n') : ui.t('network.none');
  };
}

/** `state.notes`: {flow, export, share}, each a thunk of its text or null (then left as it is). */
export function notesView(state) {
  for (const [which, sel] of [['flow', '#flow-status'], ['export', '#export-status'], ['share', '#share-status']]) {
    const note = state.notes[which];
    if (note) $(sel).textContent = note();
  }
}
