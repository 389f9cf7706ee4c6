//! Attribute risk and risk suggestions against hand-counted tiny tables; the Report and the
//! preview carry the same measurement.

use crate::common;
use bedside::privacy::attribute::{attribute_risk, risk_suggestions, uniques};
use bedside::table::csv::{read_csv, CsvOptions};

fn table(csv: &str) -> bedside::table::Table {
    read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default())
        .unwrap()
        .table
}

fn q(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn singles_and_pairs_counted_by_hand() {
    // age: 30 ×2, 40 ×2, 50 ×1 → 1 unique; sex: F ×3, M ×2 → 0; zip: A ×3, B ×2 → 0.
    // age+sex: 30F, 30M, 40F ×2, 50M → 3; age+zip: 30A ×2, 40A, 40B, 50B → 3;
    // sex+zip: FA ×2, MA, FB, MB → 3.
    let t = table("age,sex,zip\n30,F,A\n30,M,A\n40,F,A\n40,F,B\n50,M,B\n");
    let r = attribute_risk(&t, &q(&["age", "sex", "zip"]));
    let got: Vec<(Vec<String>, usize)> = r.iter().map(|a| (a.columns.clone(), a.uniques)).collect();
    assert_eq!(
        got,
        vec![
            (q(&["age", "sex"]), 3),
            (q(&["age", "zip"]), 3),
            (q(&["sex", "zip"]), 3),
            (q(&["age"]), 1),
            (q(&["sex"]), 0),
            (q(&["zip"]), 0),
        ]
    );
    assert!((r[0].share - 0.6).abs() < 1e-12 && (r[3].share - 0.2).abs() < 1e-12);
    // Over all three: 30FA, 30MA, 40FA, 40FB, 50MB → every record unique.
    assert_eq!(uniques(&t, &q(&["age", "sex", "zip"])), 5);
    // Missing is a value of its own; absent columns are skipped.
    let t = table("a,b\n1,\n1,\n2,x\n");
    let r = attribute_risk(&t, &q(&["a", "b", "nope"]));
    assert_eq!(r.len(), 3);
    assert_eq!(
        r.iter().find(|x| x.columns == q(&["a"])).unwrap().uniques,
        1
    );
    assert_eq!(
        r.iter().find(|x| x.columns == q(&["b"])).unwrap().uniques,
        1
    );
    assert_eq!(
        r.iter()
            .find(|x| x.columns == q(&["a", "b"]))
            .unwrap()
            .uniques,
        1
    );
    assert!(attribute_risk(&t, &[]).is_empty());
}

#[test]
fn a_zip_truncation_is_suggested_with_what_it_removes() {
    // zip: 02139 ×2, then 02138, 02140, 02141, 10001 once each → 4 uniques; sex: none.
    // Over sex+zip: F02139 ×2, M02138, M02140, F02141, F10001 → 4 uniques. Cut to 3 digits:
    // F021** ×3 (rows 1, 2, 5), M021** ×2, F100** ×1 → 1 unique: 3 of 4 removed.
    let t = table("sex,zip\nF,02139\nF,02139\nM,02138\nM,02140\nF,02141\nF,10001\n");
    let s = risk_suggestions(&t, &q(&["sex", "zip"]), 2, 3);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].column, "zip");
    assert_eq!(
        s[0].step,
        serde_json::json!({"op": "truncate", "column": "zip", "keep": 3})
    );
    assert_eq!((s[0].uniques_before, s[0].uniques_after), (4, 1));
    assert!((s[0].removes_share - 0.75).abs() < 1e-12);
    // Nothing unique: nothing to suggest.
    let t = table("sex,zip\nF,02139\nF,02139\nM,02138\nM,02138\n");
    assert!(risk_suggestions(&t, &q(&["sex", "zip"]), 2, 3).is_empty());
}

#[test]
fn rare_categories_are_merged_and_ages_banded() {
    // region: a ×3, b ×3, c, d (rare at k = 2) → hierarchy keeping a and b, others "other".
    // age: 31..38 all distinct.
    let t = table("age,region\n31,a\n32,a\n33,a\n34,b\n35,b\n36,b\n37,c\n38,d\n");
    let s = risk_suggestions(&t, &q(&["age", "region"]), 2, 3);
    let age = s.iter().find(|x| x.column == "age").unwrap();
    assert_eq!(
        age.step,
        serde_json::json!({"op": "generalize", "column": "age", "width": 10.0})
    );
    // Bands of 10: all eight in 30-39; over age+region: 30-39a ×3, 30-39b ×3, c, d → 2 unique.
    assert_eq!((age.uniques_before, age.uniques_after), (8, 2));
    let region = s.iter().find(|x| x.column == "region");
    // Merging c and d: ages still all distinct, so no unique removed: not suggested.
    assert!(region.is_none(), "{s:?}");
    // Largest removal first.
    assert!(s
        .windows(2)
        .all(|w| w[0].removes_share >= w[1].removes_share));
}

#[test]
fn the_report_and_the_preview_carry_the_same_measurement() {
    let csv = common::patients_csv(300, 4);
    let recipe = common::recipe_json(
        r#"[{"op": "drop", "columns": ["name", "mrn"]}, {"op": "generalize", "column": "age", "width": 10}]"#,
        "[]",
        "[]",
        r#"{"method": "stratified_kfold", "folds": 2}"#,
    );
    let out = common::run(&csv, &recipe).unwrap();
    let p = &out.report.privacy;
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let r = bedside::recipe::Recipe::from_json(&recipe).unwrap();
    let preview = loaded.preview(&r, &[7u8; 32], 5).unwrap();
    assert_eq!(preview.after, p.after);
    assert_eq!(preview.attribute_risk, p.attribute_risk);
    assert_eq!(preview.attribute_risk_before, p.attribute_risk_before);
    assert_eq!(preview.risk_suggestions, p.risk_suggestions);
    assert_eq!(preview.information_loss, p.information_loss);
    // After: over age band, sex, zip; the computation on the masked table matches.
    let quasi = q(&["age", "sex", "zip"]);
    assert_eq!(p.attribute_risk, attribute_risk(&out.masked, &quasi));
    // Three singles and three pairs, largest share first.
    assert_eq!(p.attribute_risk_before.len(), 6);
    assert!(p
        .attribute_risk_before
        .windows(2)
        .all(|w| w[0].share >= w[1].share));
    // Banding ages removes uniques.
    let u = |a: &[bedside::privacy::attribute::AttributeRisk]| {
        a.iter()
            .find(|x| x.columns == q(&["age", "zip"]))
            .unwrap()
            .uniques
    };
    assert!(u(&p.attribute_risk) <= u(&p.attribute_risk_before));
}
