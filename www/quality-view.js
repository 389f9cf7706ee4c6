// Data quality and leakage: the profile's flags per column (`columns[i].quality`, and the
// table's `quality.table`) and the run's leakage warnings (`report.leakage`), each in words with
// its one-click fix. A fix is an ordinary recipe edit (`withQualityFix`), sent through the
// `applyFix` intent; nothing in the data is changed here.
import { evaluationOptions, withRole, withoutInput } from './recipe-edit.js';

/** The flag in the page's language (`quality.<code>` / `leak.<code>` with its parameters), or the core's English. */
export function flagText(flag, ui, prefix = 'quality') {
  const { t, has } = ui;
  const key = `${prefix}.${flag.code}${flag.measure ? `.${flag.measure}` : ''}${flag.reason ? `.${flag.reason}` : ''}${flag.kind ? `.${flag.kind}` : ''}`;
  const params = {};
  for (const [k, v] of Object.entries(flag)) {
    if (v == null || typeof v === 'object') continue;
    params[k] = typeof v === 'number' ? (Number.isInteger(v) ? ui.fmtInt(v) : ui.fmtDec(v, 3)) : String(v);
  }
  if (Array.isArray(flag.groups)) params.groups = flag.groups.map((g) => `${(g.from || []).join(', ')} → ${g.to}`).join('; ');
  if (has(key)) return t(key, params);
  const base = `${prefix}.${flag.code}`;
  return has(base) ? t(base, params) : String(flag.message ?? flag.code);
}

/** The recipe with a flag's fix applied: {section: features|privacy|evaluation|columns, step}. */
export function withQualityFix(recipe, fix) {
  if (!fix || typeof fix !== 'object' || !fix.step) return recipe;
  const { section, step } = fix;
  if (section === 'columns') return step.role === 'ignore' ? withoutInput(recipe, step.column) : withRole(recipe, step.column, step.role);
  const r = recipe && typeof recipe === 'object' ? structuredClone(recipe) : {};
  if (section === 'evaluation') {
    r.evaluation = { ...structuredClone(step), ...evaluationOptions(r.evaluation) }; // options (threshold, sample_size, ...) stay
  } else if (section === 'features' || section === 'privacy') {
    const list = Array.isArray(r[section]) ? r[section] : [];
    const same = (s) => s && s.op === step.op && (step.column == null || s.column === step.column);
    // A repeated fix replaces its earlier step; cleaning steps go first, before imputation.
    r[section] = [structuredClone(step), ...list.filter((s) => !same(s))];
  }
  return r;
}

/** Is this fix already in the recipe? */
export function fixApplied(recipe, fix) {
  if (!fix?.step || !recipe) return false;
  const { section, step } = fix;
  if (section === 'columns') return recipe.columns?.[step.column] === step.role;
  if (section === 'evaluation') return recipe.evaluation?.method === step.method && recipe.evaluation?.group === step.group;
  const list = Array.isArray(recipe[section]) ? recipe[section] : [];
  return list.some((s) => s && s.op === step.op && (step.column == null || s.column === step.column)
    && JSON.stringify(s) === JSON.stringify(step));
}

function fixLabel(fix, ui) {
  const { t } = ui;
  if (fix.section === 'columns') return t('quality.fix.drop_input', { column: fix.step.column });
  if (fix.section === 'evaluation') return t('quality.fix.group', { column: fix.step.group });
  return t(`quality.fix.${fix.step.op}`, { column: fix.step.column ?? (fix.step.columns || []).join(', ') });
}

/** One <li> per flag: its words and, when it has one, the fix button (disabled once applied). */
export function flagItems(flags, ui, recipe, applyFix, { prefix = 'quality', column = null } = {}) {
  const { h, t } = ui;
  return flags.map((f) => h('li', { 'data-code': f.code, 'data-column': column ?? f.column ?? '' },
    column ? h('strong', {}, `${column}: `) : null,
    h('span', { class: 'flag-text' }, flagText(f, ui, prefix)),
    f.fix ? (fixApplied(recipe, f.fix)
      ? h('span', { class: 'pill fix-applied' }, t('quality.fix.applied'))
      : h('button', { type: 'button', class: 'fix', 'data-fix': f.fix.step.op ?? f.fix.section,
        onclick: () => applyFix(f.fix) }, fixLabel(f.fix, ui))) : null));
}

/** The profile's data quality section: table flags, then every column's flags. */
export function qualitySection(profile, recipe, ui, applyFix) {
  const { h, t } = ui;
  const table = Array.isArray(profile?.quality?.table) ? profile.quality.table : [];
  const columns = Array.isArray(profile?.columns) ? profile.columns : [];
  const items = [
    ...flagItems(table, ui, recipe, applyFix),
    ...columns.flatMap((c) => flagItems(Array.isArray(c.quality) ? c.quality : [], ui, recipe, applyFix, { column: c.name })),
  ];
  return [
    h('h3', {}, t('quality.title')),
    items.length
      ? h('ul', { id: 'quality-list', class: 'warnings' }, ...items)
      : h('p', { class: 'muted', id: 'quality-none' }, t('quality.none')),
  ];
}

/** The leakage warnings of the last run, drawn above its results (`#leakage`, made on first use). */
export function leakageView(ui, applyFix) {
  const { h, t } = ui;
  return function drawLeakage(state) {
    let box = document.getElementById('leakage');
    const results = document.getElementById('results');
    if (!box && results) {
      box = h('section', { id: 'leakage', class: 'leakage', role: 'alert' });
      results.before(box);
    }
    if (!box) return;
    const flags = Array.isArray(state.report?.leakage) ? state.report.leakage : [];
    if (!flags.length) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    box.hidden = false;
    box.replaceChildren(
      h('h3', {}, t('leak.title')),
      h('p', { class: 'note' }, t('leak.intro')),
      h('ul', { id: 'leakage-list', class: 'warnings' }, ...flagItems(flags, ui, state.recipe, applyFix, { prefix: 'leak' })));
  };
}
