//! Messy synthetic EHR exports (generated, never real patients) with the faults the data
//! quality and leakage checks must find: ZIP+4 among ZIPs, one sex written eight ways, `npreg`
//! missing for every male, impossible ages and BMI, weights partly in pounds, repeated patients
//! and, in [`duplicated_csv`], records copied many times.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Spellings of sex as exports mix them.
pub const FEMALE: &[&str] = &["F", "female", "Female", "f", "FEMALE"];
pub const MALE: &[&str] = &["M", "male", "Male"];

/// A messy export of `n` records from `n * 4 / 5` patients (so some patients repeat):
/// patient_id, age, sex, zip, npreg, bmi, weight, glucose, outcome. Faults: 3% ZIP+4, eight sex
/// spellings, npreg empty for every male, 3 negative ages and one of 130, 2 BMI of 0, 8% weights
/// in pounds.
pub fn messy_ehr_csv(n: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let patients = (n * 4 / 5).max(1);
    let mut out = String::from("patient_id,age,sex,zip,npreg,bmi,weight,glucose,outcome\n");
    for i in 0..n {
        let p = if i < patients {
            i
        } else {
            rng.gen_range(0..patients)
        };
        let mut prng = ChaCha8Rng::seed_from_u64(seed ^ (p as u64 * 7919));
        let female = prng.gen_bool(0.5);
        let sex = if female {
            FEMALE[prng.gen_range(0..FEMALE.len())]
        } else {
            MALE[prng.gen_range(0..MALE.len())]
        };
        let mut age: i64 = prng.gen_range(20..85);
        if i == 5 || i == 17 || i == 29 {
            age = -age;
        }
        if i == 41 {
            age = 130;
        }
        let zip = if rng.gen_bool(0.03) {
            format!(
                "{}-{:04}",
                85700 + prng.gen_range(0..40),
                rng.gen_range(0..9999)
            )
        } else {
            format!("{}", 85700 + prng.gen_range(0..40))
        };
        let npreg = if female {
            prng.gen_range(0..6).to_string()
        } else {
            String::new()
        };
        let bmi = if i == 7 || i == 23 {
            "0".to_string()
        } else {
            format!("{:.1}", prng.gen_range(18.0..40.0))
        };
        let kg: f64 = prng.gen_range(50.0..100.0);
        let weight = if rng.gen_bool(0.08) { kg * 2.2046 } else { kg };
        let glucose: f64 = rng.gen_range(70.0..200.0);
        let z = -6.0 + 0.04 * age.abs() as f64 + 0.02 * glucose + rng.gen_range(-1.0..1.0);
        let y = rng.gen_bool(1.0 / (1.0 + (-z).exp())) as u8;
        out.push_str(&format!(
            "P{p:05},{age},{sex},{zip},{npreg},{bmi},{weight:.1},{glucose:.1},{y}\n"
        ));
    }
    out
}

/// `distinct` clinical rows (age, bmi, glucose, sbp, outcome with signal) each written about
/// `copies` times under a new record number, shuffled: the 4,994 records of 532
/// distinct rows.
pub fn duplicated_csv(distinct: usize, copies: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let base: Vec<String> = (0..distinct)
        .map(|_| {
            let age: u32 = rng.gen_range(20..90);
            let bmi: f64 = rng.gen_range(18.0..40.0);
            let glucose: f64 = rng.gen_range(70.0..200.0);
            let sbp: u32 = rng.gen_range(95..180);
            let z = -7.0 + 0.05 * age as f64 + 0.02 * glucose + rng.gen_range(-2.0..2.0);
            let y = rng.gen_bool(1.0 / (1.0 + (-z).exp())) as u8;
            format!("{age},{bmi:.1},{glucose:.1},{sbp},{y}")
        })
        .collect();
    let mut rows: Vec<&String> = base
        .iter()
        .flat_map(|r| std::iter::repeat_n(r, copies))
        .collect();
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.gen_range(0..=i));
    }
    let mut out = String::from("record_no,age,bmi,glucose,sbp,outcome\n");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!("R{i:06},{r}\n"));
    }
    out
}
