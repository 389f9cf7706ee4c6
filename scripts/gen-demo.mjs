// Generate the synthetic demo table www/demo/patients.csv. Deterministic: the same file, byte for
// byte, on every run (own seeded PRNG, no clock, no locale). Every person in it is invented.
//
//   node scripts/gen-demo.mjs [--out FILE]
//
// 1,000 well-formed patients plus 2 deliberately malformed rows (one extra field after patient
// 200, one missing field after patient 700) so the page can show rejected-row reporting. A few
// notes contain quoted commas, quotes and line breaks to exercise the CSV reader.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS, ROOT } from './lib.mjs';

export const SEED = 20261125;
export const PATIENTS = 1000;
export const COLUMNS = [
  'patient_name', 'mrn', 'date_of_birth', 'admission_date', 'sex', 'age', 'zip', 'phone', 'smoker',
  'bmi', 'systolic_bp', 'glucose', 'hba1c', 'diagnosis', 'note', 'readmitted_30d',
];
/** The malformed rows go right after these (1-based) patients. */
const BAD_AFTER = { 200: 'extra_field', 700: 'missing_field' };

// First names by sex (English and pinyin), so that the table reads plausibly.
const FIRST = {
  F: ['Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah',
    'Karen', 'Nancy', 'Lisa', 'Margaret', 'Sandra', 'Ashley', 'Emily', 'Donna', 'Michelle', 'Carol',
    'Amanda', 'Melissa', 'Deborah', 'Rebecca', 'Laura', 'Helen', 'Fang', 'Jing', 'Mei', 'Yan', 'Ying'],
  M: ['James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas',
    'Charles', 'Daniel', 'Matthew', 'Anthony', 'Mark', 'Paul', 'Steven', 'Andrew', 'Kenneth', 'George',
    'Brian', 'Edward', 'Ronald', 'Kevin', 'Jason', 'Gary', 'Wei', 'Xiaoming', 'Hao', 'Jun', 'Lei'],
};
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore',
  'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez',
  'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen',
  'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
  'Carter', 'Roberts', 'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou',
];
// 40 ZIP codes with Zipf-like weights: a few large classes, many small ones (k-anonymity demo).
export const ZIPS = [
  '02139', '10025', '60614', '94110', '02115', '30307', '98103', '73301', '19104', '48104',
  '07030', '55414', '80205', '27514', '01002', '37203', '85004', '53703', '97209', '06511',
  '14620', '63110', '21218', '33139', '04101', '84102', '45220', '89501', '03755', '59801',
  '05401', '70118', '96813', '99501', '00501', '20007', '15213', '46202', '68102', '08540',
].map((zip, i) => ({ zip, weight: 1 / (i + 1) ** 0.9 }));
const DIAGNOSES = [
  // name, prevalence weight, effect on the readmission log-odds
  { name: 'heart failure', weight: 20, effect: 0.9 },
  { name: 'COPD', weight: 18, effect: 0.6 },
  { name: 'pneumonia', weight: 20, effect: 0.0 },
  { name: 'diabetes', weight: 17, effect: 0.3 },
  { name: 'stroke', weight: 12, effect: 0.5 },
  { name: 'sepsis', weight: 13, effect: 1.0 },
];
const PLAN = [
  'discharged home', 'home with VNA', 'to rehab facility', 'follow-up with PCP in 1 week',
  'follow-up in clinic', 'medications reconciled', 'diet reviewed', 'stable on room air',
];

/** mulberry32: small, fast, good enough for synthetic data; fully determined by the seed. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeRandom(seed) {
  const next = mulberry32(seed);
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    normal: (mean, sd) => {
      const u = 1 - next(); // (0, 1]
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    weighted: (items) => {
      const total = items.reduce((s, it) => s + it.weight, 0);
      let x = next() * total;
      for (const it of items) if ((x -= it.weight) < 0) return it;
      return items[items.length - 1];
    },
    digits: (n) => Array.from({ length: n }, () => r.int(0, 9)).join(''),
  };
  return r;
}

const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** Completed years between two YYYY-MM-DD dates. */
export function ageAt(dob, date) {
  const [by, bm, bd] = dob.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function birthDate(rnd, admission, age) {
  const adm = new Date(`${admission}T00:00:00Z`);
  const y = adm.getUTCFullYear();
  const latest = Date.UTC(y - age, adm.getUTCMonth(), adm.getUTCDate()); // turned `age` that day
  const earliest = Date.UTC(y - age - 1, adm.getUTCMonth(), adm.getUTCDate()) + DAY;
  const dob = iso(earliest + rnd.int(0, Math.round((latest - earliest) / DAY)) * DAY);
  if (ageAt(dob, admission) !== age) throw new Error(`internal: dob ${dob} not age ${age} at ${admission}`);
  return dob;
}

function note(rnd, p) {
  const plan = rnd.pick(PLAN);
  const dx = p.diagnosis;
  const x = rnd.next();
  if (x < 0.12) return `Pt ${p.patient_name} seen for ${dx}; callback ${p.phone}`;
  if (x < 0.2) return `Admitted with ${dx}. Spoke with ${p.patient_name}, ${plan}.`;
  if (x < 0.26) return `Daughter asked to call ${p.phone} after rounds`;
  if (x < 0.28) return `Admitted for ${dx}.\nPlan: ${plan}.`; // line break inside a quoted field
  if (x < 0.31) return `Pt says "feeling better", ${plan}`;
  if (x < 0.33) return `${dx}，出院，两周后随访`;
  if (x < 0.6) return `${dx}, ${plan}`;
  return `${dx === 'COPD' || dx === 'heart failure' ? `${dx} exacerbation` : dx}; ${plan}`;
}

function patient(rnd, mrns) {
  const sex = rnd.chance(0.5) ? 'F' : 'M';
  const first = rnd.pick(FIRST[sex]);
  const last = rnd.pick(LAST);
  let mrn;
  do mrn = String(rnd.int(0, 29_999_999)).padStart(8, '0'); while (mrns.has(mrn));
  mrns.add(mrn);
  const admission = iso(Date.UTC(2024, 0, 1) + rnd.int(0, 730) * DAY);
  const age = Math.round(clamp(rnd.normal(64, 15), 18, 95));
  const smoker = rnd.chance(0.22);
  const dx = rnd.weighted(DIAGNOSES);
  const diabetic = dx.name === 'diabetes' || rnd.chance(0.12);
  const bmi = clamp(rnd.normal(diabetic ? 31 : 27.5, 5.5), 15.5, 55);
  const sbp = Math.round(clamp(rnd.normal(128 + 0.3 * (age - 60) + (smoker ? 4 : 0), 18), 85, 220));
  const glucose = Math.round(clamp(diabetic ? rnd.normal(165, 45) : rnd.normal(102, 18), 55, 420));
  const hba1c = clamp(4.6 + (glucose - 90) / 35 + rnd.normal(0, 0.45), 4.0, 14.5);
  // True risk uses the true values even where the recorded cell is later blanked.
  const logit = -2.3 + 0.065 * (age - 64) + 0.09 * (bmi - 28) + 0.013 * (glucose - 115) +
    1.0 * (smoker ? 1 : 0) + 1.3 * dx.effect + 0.025 * (sbp - 130);
  const readmitted = rnd.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  const p = {
    patient_name: `${first} ${last}`,
    mrn,
    date_of_birth: birthDate(rnd, admission, age),
    admission_date: admission,
    sex,
    age: String(age),
    zip: rnd.weighted(ZIPS).zip,
    phone: `555-${rnd.int(200, 989)}-${rnd.digits(4)}`,
    smoker: smoker ? 'yes' : 'no',
    bmi: rnd.chance(0.04) ? '' : bmi.toFixed(1),
    systolic_bp: String(sbp),
    glucose: rnd.chance(0.03) ? 'NA' : String(glucose),
    hba1c: hba1c.toFixed(1),
    diagnosis: dx.name,
    note: '',
    readmitted_30d: String(readmitted),
  };
  p.note = note(rnd, p);
  return { row: COLUMNS.map((c) => p[c]), logit };
}

const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csvLine = (fields) => `${fields.map(csvField).join(',')}\n`;

/**
 * Minimal RFC 4180 reader (quotes, doubled quotes, line breaks inside quotes). Returns
 * [{line, fields}] where `line` is the 1-based physical line on which the record starts.
 * Used to check this generator's output and by tests/wasm to recompute expectations.
 */
export function parseCsv(text) {
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; field += c; }
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; }
    else if (c === '\n') {
      fields.push(field);
      records.push({ line: start, fields });
      fields = []; field = ''; line++; start = line;
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || fields.length) { fields.push(field); records.push({ line: start, fields }); }
  return records;
}

/** Rank-based ROC-AUC of scores against 0/1 labels (ties count half). */
function rocAuc(scores, labels) {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]]) { rankSumPos += rank; nPos++; }
    i = j + 1;
  }
  const nNeg = labels.length - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Build the CSV text. Returns {csv, badRows: [{line, kind}], stats} where `line` is the 1-based
 * physical line on which each malformed record starts (the header is line 1).
 */
export function generate(seed = SEED) {
  const rnd = makeRandom(seed);
  const mrns = new Set();
  let csv = csvLine(COLUMNS);
  let line = 2;
  const badRows = [];
  const logits = [];
  const labels = [];
  const emit = (fields) => {
    const text = csvLine(fields);
    csv += text;
    line += text.split('\n').length - 1;
  };
  for (let i = 1; i <= PATIENTS; i++) {
    const { row, logit } = patient(rnd, mrns);
    logits.push(logit);
    labels.push(Number(row[COLUMNS.length - 1]));
    emit(row);
    const kind = BAD_AFTER[i];
    if (kind) {
      const { row: bad } = patient(rnd, mrns);
      bad[COLUMNS.indexOf('note')] = 'row damaged in export';
      badRows.push({ line, kind });
      emit(kind === 'extra_field' ? [...bad, 'unexpected'] : bad.filter((_, c) => c !== COLUMNS.indexOf('zip')));
    }
  }
  // Self-check: reading the text back finds exactly the malformed rows where we put them.
  const found = parseCsv(csv).filter((r) => r.fields.length !== COLUMNS.length).map((r) => r.line);
  if (found.join() !== badRows.map((b) => b.line).join()) {
    throw new Error(`internal: malformed rows read back on lines ${found}, expected ${badRows.map((b) => b.line)}`);
  }
  const positives = labels.reduce((s, y) => s + y, 0);
  return { csv, badRows, stats: { patients: PATIENTS, positives, oracleAuc: rocAuc(logits, labels) } };
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1]) : PATHS.demoCsv;
  const { csv, badRows, stats } = generate();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, csv, 'utf8');
  const sha = createHash('sha256').update(csv).digest('hex');
  console.log(`wrote ${relative(ROOT, out)}: ${stats.patients} patients + ${badRows.length} malformed rows, ` +
    `${csv.split('\n').length - 1} lines, sha256 ${sha}`);
  console.log(`readmitted_30d positive: ${stats.positives} (${((100 * stats.positives) / stats.patients).toFixed(1)}%); ` +
    `ROC-AUC of the true risk score: ${stats.oracleAuc.toFixed(3)}`);
  for (const b of badRows) console.log(`malformed row (${b.kind}) starts on line ${b.line}`);
}
