// Step 2, Profile: the file's summary, one row per column (type, missing share, distinct values,
// min / max / mean, role, identifier action), the target picker and the rejected rows. Draws
// state; edits go out as intents ({setRole, setIdentifierAction, setTarget}).
import { ID_ACTIONS, ROLES, identifierAction, roleOf } from './recipe-edit.js';
import { noteText } from './message.js';
import { qualitySection } from './quality-view.js';

const $ = (sel) => document.querySelector(sel);

/** The rejected rows of a file into `list` (an <ul>); also used by the results view. */
export function renderRejected(list, rejected, ui) {
  const { h, t } = ui;
  if (!rejected.length) {
    list.replaceChildren(h('li', { class: 'muted' }, t('profile.rejected_none')));
    return;
  }
  list.replaceChildren(...rejected.map((r) => h('li', { 'data-line': r.line },
    t('profile.rejected_row', { line: r.line ?? ui.none(), reason: noteText(r, 'reason') }))));
}

/** A statistics file's variable label beside the column name, its value labels as a tooltip. */
function columnLabel(h, col) {
  const codes = Array.isArray(col.value_labels) ? col.value_labels.map((v) => `${v.code} = ${v.label}`).join('; ') : '';
  if (!col.label && !codes) return [];
  return [' ', h('span', { class: 'col-label muted', title: codes || null }, col.label || codes)];
}

export function profileColumns(profile) {
  return Array.isArray(profile?.columns) ? profile.columns : [];
}

export function profileView(ui, intents) {
  const { h, t, has } = ui;
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const fmtStat = (value) => (value == null ? ui.none() : isNum(value) ? ui.fmtNum(value) : String(value));

  return function drawProfile(state) {
    const { profile, recipe } = state;
    if (!profile) return;
    const columns = profileColumns(profile);
    const input = profile.input || {};
    const rejected = Array.isArray(input.rejected_rows) ? input.rejected_rows : [];
    const rows = input.rows ?? 0;
    const summary = $('#profile-summary');
    summary.textContent = t('profile.summary', {
      name: state.file?.name ?? '',
      rows: ui.fmtInt(rows),
      columns: ui.fmtInt(input.columns ?? columns.length),
      rejected: ui.fmtInt(rejected.length),
    });
    summary.dataset.rows = String(rows);
    summary.dataset.columns = String(input.columns ?? columns.length);
    summary.dataset.rejected = String(rejected.length);
    summary.dataset.format = input.format ?? '';

    const active = document.activeElement?.id;
    $('#profile-table tbody').replaceChildren(...columns.map((col, i) => {
      const role = roleOf(recipe, col.name);
      const missingFraction = isNum(col.missing) && rows > 0 ? col.missing / rows
        : isNum(col.missing_pct) ? col.missing_pct / 100 : null;
      const roleSelect = h('select', {
        id: `role-${i}`,
        'aria-label': t('profile.role_for', { name: col.name }),
        onchange: (e) => intents.setRole(col.name, e.target.value),
      }, ...ROLES.map((r) => h('option', { value: r, selected: r === role }, t(`role.${r}`))));
      if (!ROLES.includes(role)) roleSelect.append(h('option', { value: role, selected: true }, role));
      const actionCell = role === 'identifier'
        ? h('select', {
          id: `action-${i}`,
          'aria-label': t('profile.action_for', { name: col.name }),
          onchange: (e) => intents.setIdentifierAction(col.name, e.target.value),
        }, ...ID_ACTIONS.map((a) => h('option', { value: a, selected: a === identifierAction(recipe, col.name) }, t(`action.${a}`))))
        : h('span', { class: 'muted', 'aria-hidden': 'true' }, ui.none());
      return h('tr', { 'data-column': col.name, 'data-role': role },
        h('th', { scope: 'row' }, col.name, ...columnLabel(h, col)),
        h('td', {}, h('span', { class: `type type-${col.type}` }, has(`type.${col.type}`) ? t(`type.${col.type}`) : String(col.type ?? ''))),
        h('td', { class: 'num-col' }, ui.fmtPct(missingFraction)),
        h('td', { class: 'num-col' }, ui.fmtInt(col.distinct)),
        h('td', { class: 'num-col' }, fmtStat(col.min)),
        h('td', { class: 'num-col' }, fmtStat(col.max)),
        h('td', { class: 'num-col' }, fmtStat(col.mean)),
        h('td', {}, roleSelect),
        h('td', {}, actionCell));
    }));
    if (active && document.getElementById(active) && /^(role|action)-/.test(active)) document.getElementById(active).focus();

    // Data quality: every flag of the profile with its one-click fix (made on first use, after the table).
    let quality = $('#quality');
    if (!quality) {
      const table = $('#profile-table');
      quality = h('section', { id: 'quality', class: 'quality' });
      (table.closest('.table-wrap') || table).after(quality);
    }
    quality.replaceChildren(...qualitySection(profile, recipe, ui, (fix) => intents.applyFix(fix)));

    const target = $('#target-select');
    // A time-to-event target ({time, event}, chosen in the Train step) shows as one entry.
    const timed = recipe?.target && typeof recipe.target === 'object' ? recipe.target : null;
    target.replaceChildren(
      h('option', { value: '' }, t('profile.target_none')),
      timed ? h('option', { value: '', selected: true, disabled: true }, t('survival.profile_target', { time: timed.time, event: timed.event })) : null,
      ...columns.map((col) => h('option', { value: col.name, selected: col.name === recipe?.target }, col.name)),
    );
    if (!recipe?.target) target.value = '';

    renderRejected($('#rejected-list'), rejected, ui);
    $('#rejected-summary').textContent = t('profile.rejected', { count: ui.fmtInt(rejected.length) });
    $('#rejected').open = rejected.length > 0 && rejected.length <= 50;
  };
}
