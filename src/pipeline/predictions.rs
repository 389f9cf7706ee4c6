//! The out-of-fold predictions of a run: every model's prediction for every test row of every
//! split of the evaluation (the masked data's splits), with the record's row in the input table
//! and its target as the model saw it. `bedside run --predictions` writes them as CSV.

use super::prepare::Prepared;
use super::units::FoldResult;
use crate::error::{Error, Result};
use crate::models::Task;

/// The header of [`OutOfFold::to_csv`] (DESIGN: `PRED.csv`).
pub const HEADER: [&str; 5] = ["row", "split", "model", "y_true", "score"];

/// One line of the out-of-fold predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The record's 0-based row among the accepted records of the input (before the privacy
    /// steps).
    pub row: usize,
    /// The 0-based split (every split of every repeat).
    pub split: usize,
    /// The model's index in the recipe.
    pub model: usize,
    /// The target as the model saw it: the class label text (class targets) or the number.
    pub y_true: String,
    /// The probability of the positive class, or the predicted value of a numeric target.
    pub score: f64,
    /// A time-to-event model: the out-of-fold predicted survival at each horizon (the
    /// `survival@T` columns).
    pub survival: Vec<f64>,
}

/// Every model's out-of-fold predictions on every split of a run's evaluation.
#[derive(Debug, Clone)]
pub struct OutOfFold {
    pub task: Task,
    /// The two classes, negative first (empty for a numeric target).
    pub classes: Vec<String>,
    /// For each modelling row, its row in the input table.
    input_rows: Vec<usize>,
    labels: Vec<bool>,
    values: Vec<f64>,
    /// Per split, its test rows (modelling rows) in the order the input has them, with their
    /// position among the split's test rows.
    tests: Vec<Vec<(usize, usize)>>,
    /// Per split, per model, the predictions of the split's test rows in the split's order.
    scores: Vec<Vec<Vec<f64>>>,
    /// The horizons of a time-to-event target (empty otherwise).
    pub horizons: Vec<f64>,
    /// Per split, per model, the predicted survival of the split's test rows at the horizons
    /// (empty without horizons).
    survival: Vec<Vec<Vec<Vec<f64>>>>,
}

/// Gathers the out-of-fold predictions of `results` (one per split of the masked data, sorted,
/// every model of the recipe each) for the modelling `p`; `row_map`: each masked row's row in
/// the input table.
pub(super) fn out_of_fold(
    p: &Prepared,
    row_map: &[usize],
    results: &[FoldResult],
) -> Result<OutOfFold> {
    let input_rows =
        p.y.rows
            .iter()
            .map(|&r| {
                row_map.get(r).copied().ok_or_else(|| {
                    Error::Protocol(format!("masked row {r} has no row in the input table"))
                })
            })
            .collect::<Result<Vec<usize>>>()?;
    if results.len() != p.folds.len() {
        return Err(Error::Protocol(format!(
            "{} split result(s) for an evaluation of {} split(s)",
            results.len(),
            p.folds.len()
        )));
    }
    let mut tests = Vec::with_capacity(results.len());
    let mut scores = Vec::with_capacity(results.len());
    let horizons = p
        .horizons
        .as_ref()
        .map(|h| h.times.clone())
        .unwrap_or_default();
    let mut survival = Vec::with_capacity(results.len());
    for (s, (r, fold)) in results.iter().zip(&p.folds).enumerate() {
        if r.unit != s || r.models.len() != p.searches.len() {
            return Err(Error::Protocol(format!(
                "the results of split {} do not match the recipe",
                s + 1
            )));
        }
        let mut order: Vec<(usize, usize)> = fold
            .test
            .iter()
            .enumerate()
            .map(|(i, &row)| (row, i))
            .collect();
        order.sort_by_key(|&(row, _)| input_rows[row]);
        let mut per_model = Vec::with_capacity(r.models.len());
        let mut surv_model = Vec::with_capacity(r.models.len());
        for mf in &r.models {
            if mf.predictions.len() != fold.test.len() {
                return Err(Error::Protocol(format!(
                    "the results of split {} do not match its test rows",
                    s + 1
                )));
            }
            per_model.push(mf.predictions.clone());
            // Only the horizons (the first columns), not the integrated Brier score's grid.
            let at_horizons: Vec<Vec<f64>> = mf
                .survival
                .iter()
                .flatten()
                .map(|row| row.iter().take(horizons.len()).copied().collect())
                .collect();
            if !horizons.is_empty() && at_horizons.len() != fold.test.len() {
                return Err(Error::Protocol(format!(
                    "the predicted survival of split {} does not match its test rows",
                    s + 1
                )));
            }
            surv_model.push(at_horizons);
        }
        tests.push(order);
        scores.push(per_model);
        survival.push(surv_model);
    }
    Ok(OutOfFold {
        task: p.task,
        classes: p.classes.clone(),
        input_rows,
        labels: p.labels().to_vec(),
        values: p.values().to_vec(),
        tests,
        scores,
        horizons,
        survival,
    })
}

impl OutOfFold {
    /// The number of lines (test rows × models, summed over the splits).
    pub fn len(&self) -> usize {
        self.tests
            .iter()
            .zip(&self.scores)
            .map(|(t, m)| t.len() * m.len())
            .sum()
    }

    /// Whether there is no line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every line, sorted by split, model and row.
    pub fn iter(&self) -> impl Iterator<Item = Prediction> + '_ {
        self.tests
            .iter()
            .zip(&self.scores)
            .enumerate()
            .flat_map(move |(split, (test, models))| {
                models.iter().enumerate().flat_map(move |(model, scores)| {
                    let surv = self.survival.get(split).and_then(|s| s.get(model));
                    test.iter().map(move |&(row, i)| Prediction {
                        row: self.input_rows[row],
                        split,
                        model,
                        y_true: self.y_true(row),
                        score: scores[i],
                        survival: surv.and_then(|s| s.get(i)).cloned().unwrap_or_default(),
                    })
                })
            })
    }

    /// The target of modelling row `row` as text: its class label, or its value (shortest
    /// round-trip form).
    fn y_true(&self, row: usize) -> String {
        match self.task {
            Task::Classification => self
                .classes
                .get(self.labels[row] as usize)
                .cloned()
                .unwrap_or_default(),
            Task::Regression => self.values[row].to_string(),
            // The follow-up time, `+` when censored (R's `Surv` notation).
            Task::Survival => format!(
                "{}{}",
                self.values[row],
                if self.labels[row] { "" } else { "+" }
            ),
        }
    }

    /// The header of [`Self::to_csv`]: [`HEADER`], then a time-to-event target's
    /// `survival@T` column per horizon (`crate::survival::horizons::survival_column`).
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = HEADER.iter().map(|c| c.to_string()).collect();
        h.extend(
            self.horizons
                .iter()
                .map(|&t| crate::survival::horizons::survival_column(t)),
        );
        h
    }

    /// The predictions as CSV (header [`Self::header`]), written through the one CSV writer
    /// (formula-like cells, e.g. a class named `=x`, neutralised), and the count of cells it
    /// neutralised. Numbers in shortest round-trip form.
    pub fn to_csv(&self) -> (Vec<u8>, usize) {
        self.write_csv(Vec::new()).unwrap_or_default()
    }

    /// [`OutOfFold::to_csv`] into `sink` in pieces: the sink and the count of cells
    /// neutralised, or the sink's first error.
    pub fn write_csv<W: std::io::Write>(&self, sink: W) -> std::io::Result<(W, usize)> {
        let mut w = crate::table::csv::SafeWriter::to(sink);
        w.record(self.header().iter().map(String::as_str));
        for p in self.iter() {
            let mut cells = vec![
                p.row.to_string(),
                p.split.to_string(),
                p.model.to_string(),
                p.y_true,
                p.score.to_string(),
            ];
            cells.extend(p.survival.iter().map(f64::to_string));
            cells.resize(5 + self.horizons.len(), String::new());
            w.record(cells.iter().map(String::as_str));
        }
        w.end()
    }
}
