// The Recipe panel and the undo bar: the recipe as JSON (editable), its error while it does not
// parse, the recipe in plain words (recipe-view.js), Undo / Redo buttons that say what they undo,
// and the share link. Draws state; typing goes out as an intent.
import { renderRecipeSteps } from './recipe-view.js';

const $ = (sel) => document.querySelector(sel);

/** The text of a recorded change ({key, params}) in the current language. */
export function changeText(change, ui) {
  if (!change) return '';
  const params = { ...change.params };
  if (params.role && ui.has(`role.${params.role}`)) params.role = ui.t(`role.${params.role}`);
  return ui.t(change.key, params);
}

/** The JSON box follows the recipe unless it holds what the user is typing (the same recipe, or text that does not parse). */
export function recipeTextView(ui) {
  return function drawRecipeText(state) {
    const box = $('#recipe-json');
    const error = $('#recipe-error');
    if (state.recipeError) {
      error.textContent = ui.t(state.recipeError.key, state.recipeError.params);
      return;
    }
    error.textContent = '';
    if (state.recipeTyped) return; // the text is the user's, and it is the recipe
    box.value = state.recipe ? JSON.stringify(state.recipe, null, 2) : '';
  };
}

export function readableView(ui) {
  return (state) => renderRecipeSteps($('#recipe-steps'), state.recipe, ui);
}

export function historyView(ui) {
  return function drawHistory(state) {
    const { undo, redo } = state.history;
    const u = $('#undo'), r = $('#redo');
    u.textContent = undo ? ui.t('history.undo_what', { what: changeText(undo, ui) }) : ui.t('history.undo');
    r.textContent = redo ? ui.t('history.redo_what', { what: changeText(redo, ui) }) : ui.t('history.redo');
    u.disabled = !undo || state.running;
    r.disabled = !redo || state.running;
    u.dataset.what = undo ? changeText(undo, ui) : '';
    r.dataset.what = redo ? changeText(redo, ui) : '';
  };
}

/** The share link field (`state.shareLink`). */
export function shareView(state) {
  const input = $('#share-link');
  if (state.shareLink == null) return;
  input.value = state.shareLink;
  input.hidden = false;
}
