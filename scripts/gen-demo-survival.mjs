// Generate the synthetic follow-up demo www/demo/followup.csv: a heart-failure cohort with a
// time-to-event outcome (docs/survival.md, "Survival in the page"). Deterministic: the same file,
// byte for byte, on every run (the main demo's seeded PRNG, no clock, no locale). Every person in
// it is invented.
//
//   node scripts/gen-demo-survival.mjs [--out FILE]
//
// 1,500 patients followed after a hospital stay for heart failure: age, sex, ejection fraction,
// serum creatinine, diabetes, a treatment arm, days of follow-up and whether the patient died
// ("died") or was censored ("alive": follow-up ended first). A few quasi-identifiers (ZIP code,
// date of birth, enrolment date) and an identifier (patient_id) give the privacy steps work.
//
// The true hazard is a Weibull proportional-hazards model (shape SHAPE), so a Cox fit should
// recover the log hazard ratios of TRUE_LOG_HR (per unit of each input):
//   h(t | x) = h0(t) · exp(0.035·(age − 65) + 0.25·[male] − 0.04·(ef − 38)
//                          + 0.45·(creatinine − 1.2) + 0.3·[diabetes] − 0.45·[new drug]).
// Censoring: the study closes 1,460 days after the first enrolment and patients enrol over the
// first 1,095 days (administrative censoring), and about 8% a year are lost to follow-up.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZIPS, makeRandom } from './gen-demo.mjs';
import { ROOT } from './lib.mjs';

export const SEED = 20261202;
export const PATIENTS = 1500;
export const OUT = join(ROOT, 'www', 'demo', 'followup.csv');
export const COLUMNS = [
  'patient_id', 'zip', 'date_of_birth', 'enrolled', 'sex', 'age', 'ejection_fraction', 'creatinine',
  'diabetes', 'treatment', 'follow_up_days', 'status',
];
/** The true log hazard ratios, per unit of each input (the generator's model). */
export const TRUE_LOG_HR = {
  age: 0.035, male: 0.25, ejection_fraction: -0.04, creatinine: 0.45, diabetes: 0.3, new_drug: -0.45,
};
const SHAPE = 1.3; // Weibull shape: the hazard rises slowly with time
const SCALE_DAYS = 2200; // the baseline patient's Weibull scale
const STUDY_DAYS = 1460;
const ENROL_DAYS = 1095;
const LOSS_PER_DAY = 0.08 / 365;
const START = Date.UTC(2019, 0, 7);
const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

function patient(rnd, i) {
  const sex = rnd.chance(0.58) ? 'M' : 'F';
  const age = Math.round(clamp(rnd.normal(68, 11), 30, 95));
  const ef = Math.round(clamp(rnd.normal(38, 11), 12, 75));
  const creatinine = Math.round(clamp(Math.exp(rnd.normal(Math.log(1.2), 0.35)), 0.4, 6) * 100) / 100;
  const diabetes = rnd.chance(0.35) ? 'yes' : 'no';
  const treatment = rnd.chance(0.5) ? 'new drug' : 'standard';
  const b = TRUE_LOG_HR;
  const eta = b.age * (age - 65) + b.male * (sex === 'M' ? 1 : 0) + b.ejection_fraction * (ef - 38)
    + b.creatinine * (creatinine - 1.2) + b.diabetes * (diabetes === 'yes' ? 1 : 0)
    + b.new_drug * (treatment === 'new drug' ? 1 : 0);
  // Inverse-transform sampling: S(t) = exp(−(t/scale)^shape · e^eta).
  const u = 1 - rnd.next(); // (0, 1]
  const eventDay = SCALE_DAYS * (-Math.log(u) / Math.exp(eta)) ** (1 / SHAPE);
  const enrolDay = Math.floor(rnd.next() * ENROL_DAYS);
  const lostDay = -Math.log(1 - rnd.next()) / LOSS_PER_DAY;
  const censorDay = Math.min(STUDY_DAYS - enrolDay, lostDay);
  const died = eventDay <= censorDay;
  const days = Math.max(1, Math.ceil(died ? eventDay : censorDay));
  const enrolled = START + enrolDay * DAY;
  const born = enrolled - Math.round((age + rnd.next()) * 365.25) * DAY;
  return {
    row: [
      `HF-${String(i).padStart(5, '0')}`, rnd.weighted(ZIPS).zip, iso(born), iso(enrolled), sex, String(age),
      String(ef), creatinine.toFixed(2), diabetes, treatment, String(days), died ? 'died' : 'alive',
    ],
    died,
  };
}

/** Build the CSV text. Returns {csv, stats: {patients, deaths}}. */
export function generate(seed = SEED) {
  const rnd = makeRandom(seed);
  let csv = `${COLUMNS.join(',')}\n`;
  let deaths = 0;
  for (let i = 1; i <= PATIENTS; i++) {
    const { row, died } = patient(rnd, i);
    if (died) deaths += 1;
    csv += `${row.join(',')}\n`;
  }
  return { csv, stats: { patients: PATIENTS, deaths } };
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1]) : OUT;
  const { csv, stats } = generate();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, csv, 'utf8');
  const sha = createHash('sha256').update(csv).digest('hex');
  console.log(`wrote ${relative(ROOT, out)}: ${stats.patients} patients, ${(csv.length / 1024).toFixed(1)} kB, sha256 ${sha}`);
  console.log(`deaths: ${stats.deaths} (${((100 * stats.deaths) / stats.patients).toFixed(1)}%); the rest censored`);
}
