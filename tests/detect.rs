//! Identifier detection: Chinese resident IDs, mobiles and headers; HIPAA patterns; no false
//! positives on ordinary clinical numbers; identifiers inside notes.

use crate::common;
use bedside::privacy::detect::{
    cn_resident_id, detect_table, is_cn_mobile, is_email, is_ipv4, is_phone, is_ssn, is_url,
    value_kind, Verdict,
};
use bedside::privacy::text::{find, scrub};
use bedside::table::csv::{read_csv, CsvOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn table(csv: &str) -> bedside::table::Table {
    read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default())
        .unwrap()
        .table
}

/// A valid resident ID for a region, birth date and sequence (computes the check character).
fn cn_id(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .bytes()
        .zip(W)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    format!(
        "{body17}{}",
        "10X98765432".as_bytes()[(sum % 11) as usize] as char
    )
}

#[test]
fn chinese_resident_id_checksum_birth_date_and_sex() {
    // The GB 11643-1999 example number.
    let id = cn_resident_id("11010519491231002X").unwrap();
    assert_eq!(id.birth, (1949, 12, 31));
    assert!(id.female, "17th digit 2 is even: female");
    assert!(
        cn_resident_id("11010519491231002x").is_some(),
        "lower-case x accepted"
    );
    // Every wrong check character is rejected.
    for c in "0123456789".chars() {
        assert!(
            cn_resident_id(&format!("11010519491231002{c}")).is_none(),
            "check {c}"
        );
    }
    let male = cn_id("44030419850716351");
    let info = cn_resident_id(&male).unwrap();
    assert_eq!((info.birth, info.female), ((1985, 7, 16), false));
    // A valid checksum over an impossible birth date is not an ID.
    assert!(cn_resident_id(&cn_id("44030419851332351")).is_none());
    assert!(cn_resident_id("4403041985071635").is_none(), "too short");
}

#[test]
fn chinese_mobile_numbers() {
    for ok in [
        "13812345678",
        "19912345678",
        "+8613812345678",
        "138 1234 5678",
        "86-138-1234-5678",
    ] {
        assert!(is_cn_mobile(ok), "{ok}");
    }
    for bad in [
        "12812345678",
        "1381234567",
        "138123456789",
        "23812345678",
        "10012345678",
    ] {
        assert!(!is_cn_mobile(bad), "{bad}");
    }
}

#[test]
fn hipaa_value_patterns() {
    assert!(is_ssn("123-45-6789"));
    for bad in [
        "000-45-6789",
        "666-45-6789",
        "912-45-6789",
        "123-00-6789",
        "123456789",
        "123-45-678",
    ] {
        assert!(!is_ssn(bad), "{bad}");
    }
    for ok in [
        "(617) 555-0123",
        "617-555-0123",
        "617.555.0123",
        "+1 617 555 0123",
        "1-617-555-0123",
    ] {
        assert!(is_phone(ok), "{ok}");
    }
    for bad in ["6175550123", "120/80", "617-5550-123", "2024-03-01"] {
        assert!(!is_phone(bad), "{bad}");
    }
    assert!(is_email("ada.brook+1@example.org") && !is_email("a@b") && !is_email("x@.org"));
    assert!(
        is_url("https://example.org/p?id=3") && is_url("www.example.org") && !is_url("example")
    );
    assert!(is_ipv4("192.168.0.17") && !is_ipv4("256.1.1.1") && !is_ipv4("1.2.3"));
    assert_eq!(value_kind("2001:db8::1"), Some("ip_address"));
    assert_eq!(value_kind("13812345678"), Some("cn_mobile"));
    assert_eq!(value_kind("11010519491231002X"), Some("cn_resident_id"));
    // Vehicle and device identifiers: a VIN with its check digit, MAC addresses.
    assert_eq!(value_kind("1M8GDM9AXKP042788"), Some("device"));
    assert_eq!(
        value_kind("1M8GDM9A1KP042788"),
        None,
        "wrong VIN check digit"
    );
    assert_eq!(value_kind("00:1A:2b:3C:4d:5E"), Some("device"));
    assert_eq!(value_kind("00-1A-2B-3C-4D"), None);
    assert_eq!(value_kind("142"), None);
    assert_eq!(value_kind("120/80"), None);
}

#[test]
fn chinese_headers_are_detected() {
    let mut csv = String::from("姓名,身份证号,手机,住址,病历号,出生日期,性别,年龄,诊断,血糖\n");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for i in 0..30 {
        csv.push_str(&format!(
            "张{i},{},139{:08},北京市海淀区{i}号,{:08},19{:02}-0{}-1{},{},{},{},{:.1}\n",
            cn_id(&format!("1101051960{:02}01{:03}", 1 + i % 12, 100 + i)),
            rng.gen_range(0..100_000_000u64),
            500 + i,
            50 + i,
            1 + i % 9,
            i % 9,
            if i % 2 == 0 { "男" } else { "女" },
            20 + i,
            ["糖尿病", "高血压"][i % 2],
            rng.gen_range(4.0..12.0)
        ));
    }
    let t = table(&csv);
    let d = detect_table(&t);
    let verdict = |name: &str| {
        let i = t.index_of(name).unwrap();
        (d[i].verdict, d[i].kind.clone().unwrap_or_default())
    };
    assert_eq!(verdict("姓名"), (Verdict::DirectIdentifier, "name".into()));
    assert_eq!(
        verdict("身份证号"),
        (Verdict::DirectIdentifier, "cn_resident_id".into())
    );
    // The header says phone, the values say (more precisely) mainland mobile.
    assert_eq!(
        verdict("手机"),
        (Verdict::DirectIdentifier, "cn_mobile".into())
    );
    assert_eq!(
        verdict("住址"),
        (Verdict::DirectIdentifier, "address".into())
    );
    assert_eq!(verdict("病历号"), (Verdict::DirectIdentifier, "mrn".into()));
    assert_eq!(
        verdict("出生日期"),
        (Verdict::DirectIdentifier, "birth_date".into())
    );
    assert_eq!(verdict("性别"), (Verdict::QuasiIdentifier, "sex".into()));
    assert_eq!(verdict("年龄"), (Verdict::QuasiIdentifier, "age".into()));
    assert_eq!(verdict("诊断"), (Verdict::Sensitive, "diagnosis".into()));
    assert_eq!(verdict("血糖").0, Verdict::Ordinary);
    // The ID column is confirmed by its values and says it encodes birth date and sex.
    let id = &d[t.index_of("身份证号").unwrap()];
    assert!(id
        .reasons
        .iter()
        .any(|r| r.code == "values" && r.share == Some(1.0)));
    assert!(id.reasons.iter().any(|r| r.code == "encodes_birth_sex"));
    assert!(id.confidence > 0.95);
}

#[test]
fn identifiers_are_found_by_values_under_neutral_headers() {
    let mut csv = String::from("a,b,c,d,e,f\n");
    for i in 0..25 {
        csv.push_str(&format!(
            "user{i}@example.org,13{}{:08},{}-{:02}-{:04},(617) 555-{:04},10.0.{}.{},https://example.org/u/{i}\n",
            3 + i % 7,
            i * 7919,
            100 + i,
            10 + i,
            1000 + i,
            i,
            i,
            i % 250,
        ));
    }
    let t = table(&csv);
    let kinds: Vec<String> = detect_table(&t)
        .into_iter()
        .map(|d| {
            assert_eq!(d.verdict, Verdict::DirectIdentifier, "{d:?}");
            d.kind.unwrap()
        })
        .collect();
    assert_eq!(
        kinds,
        ["email", "cn_mobile", "ssn", "phone", "ip_address", "url"]
    );
}

#[test]
fn no_false_positive_on_ordinary_clinical_numbers() {
    // 500 generated patients: glucose, blood pressure as numbers and as "120/80", weight,
    // HbA1c, heart rate, lab codes: none of them is an identifier or quasi-identifier.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut csv = String::from("glucose,systolic_bp,diastolic_bp,bp,weight_kg,hba1c,heart_rate,creatinine,smoker,outcome\n");
    for _ in 0..500 {
        let s = rng.gen_range(95..190);
        let d = rng.gen_range(55..110);
        csv.push_str(&format!(
            "{},{s},{d},{s}/{d},{:.1},{:.1},{},{:.2},{},{}\n",
            rng.gen_range(60..320),
            rng.gen_range(40.0..140.0),
            rng.gen_range(4.5..12.0),
            rng.gen_range(45..140),
            rng.gen_range(0.4..3.0),
            if rng.gen_bool(0.3) { "yes" } else { "no" },
            u8::from(rng.gen_bool(0.2))
        ));
    }
    let t = table(&csv);
    for (c, d) in t.columns.iter().zip(detect_table(&t)) {
        assert_eq!(d.verdict, Verdict::Ordinary, "{}: {:?}", c.name, d.reasons);
    }
    // Nor inside a note.
    let note =
        "BP 142/91, glucose 187 mg/dL, HbA1c 7.2%, HR 88, weight 81.5 kg, 2 tablets twice daily";
    assert!(
        find(note, &[], None).is_empty(),
        "{:?}",
        find(note, &[], None)
    );
}

#[test]
fn notes_lose_patterns_names_and_same_row_identifiers() {
    let note = "Mr. John Smith (MRN 00481234, SSN 123-45-6789) seen 2024-03-01; call 617-555-0123 or \
                13812345678, email john@example.org, ID 11010519491231002X. 92-year-old, 张三 住院 2024年3月1日. \
                See https://portal.example.org/p/1 from 10.0.0.7. Pump 00:1A:2B:3C:4D:5E, car 1M8GDM9AXKP042788.";
    let (out, n) = scrub(note, &["张三".into(), "Quinn Doe".into()], None);
    for gone in [
        "John",
        "Smith",
        "00481234",
        "123-45-6789",
        "2024-03-01",
        "617-555-0123",
        "13812345678",
        "john@example.org",
        "11010519491231002X",
        "92",
        "张三",
        "2024年3月1日",
        "portal.example.org",
        "10.0.0.7",
        "00:1A:2B:3C:4D:5E",
        "1M8GDM9AXKP042788",
    ] {
        assert!(!out.contains(gone), "{gone} survived: {out}");
    }
    for kept in ["seen", "call", "住院", "year-old"] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
    assert!(
        out.contains("[NAME]")
            && out.contains("[SSN]")
            && out.contains("[PHONE]")
            && out.contains("[ID]")
    );
    assert!(n >= 12, "{n}: {out}");
}

#[test]
fn free_text_column_with_identifiers_is_flagged() {
    let mut csv = String::from("name,note\n");
    for i in 0..10 {
        csv.push_str(&format!(
            "Pat Doe{i},\"Pat Doe{i} reports chest pain since Monday morning\"\n"
        ));
    }
    let t = table(&csv);
    let d = detect_table(&t);
    assert_eq!(d[1].verdict, Verdict::DirectIdentifier);
    assert_eq!(d[1].kind.as_deref(), Some("free_text"));
    assert!(d[1]
        .reasons
        .iter()
        .any(|r| r.code == "text_identifiers" && r.share == Some(1.0)));
}

#[test]
fn profile_carries_detection_and_suggest_uses_it() {
    let csv = common::patients_csv(60, 2);
    let loaded = bedside::load(csv.as_bytes(), "p.csv").unwrap();
    let profile = serde_json::to_value(loaded.profile()).unwrap();
    let cols = profile["columns"].as_array().unwrap();
    let by = |n: &str| cols.iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by("name")["detection"]["verdict"], "direct_identifier");
    assert_eq!(by("mrn")["detection"]["kind"], "mrn");
    assert_eq!(by("zip")["detection"]["verdict"], "quasi_identifier");
    assert_eq!(by("glucose")["detection"]["verdict"], "ordinary");
    assert!(by("name")["detection"]["reasons"][0]["text"]
        .as_str()
        .unwrap()
        .contains("header"));
    // Existing profile fields are still there.
    for f in ["name", "type", "missing", "distinct", "suggested_role"] {
        assert!(by("age").get(f).is_some(), "{f}");
    }
    let recipe = bedside::suggest::suggest(&loaded.parsed.table, Some("outcome"));
    let json = serde_json::to_value(&recipe).unwrap();
    assert_eq!(json["columns"]["name"], "identifier");
    assert_eq!(json["columns"]["zip"], "quasi");
    let ops: Vec<&str> = json["privacy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    // The quasi-identifiers go into one k_anonymize step (safe by default: k = 5 within 5%
    // suppression), with ladders built from the data (no age here is over 89: no top-coding).
    assert_eq!(ops, ["drop", "pseudonymize", "k_anonymize"]);
    assert_eq!(
        json["privacy"][2]["quasi"],
        serde_json::json!(["age", "sex", "zip"])
    );
    assert_eq!(json["privacy"][2]["k"], 5);
    assert_eq!(
        json["privacy"][2]["ladders"]["age"],
        serde_json::json!({"bands": [5.0, 10.0, 20.0, 40.0]})
    );
    assert_eq!(
        json["privacy"][2]["ladders"]["zip"],
        serde_json::json!({"prefix": [4, 3, 2, 1]})
    );
    let out = common::run(&csv, &recipe.to_json()).unwrap();
    assert!(out.report.privacy.after.k_anonymity.unwrap() >= 5);
}

#[test]
fn scrubbing_never_splits_a_character() {
    // Texts whose lower-case form changes byte lengths (İ, ẞ) around identifiers.
    let same = vec![
        "Ada İnce".to_string(),
        "ẞtraße 5".to_string(),
        "ada".to_string(),
    ];
    // Regression: a '+' or '(' right after a letter ("a+1", "x(2") once looped forever.
    assert!(find("a+1 x(2 b+(3", &[], None).is_empty());
    for text in [
        "İADA İnce ẞtraße 5 ada",
        "ẞ ada İ",
        "Ada İnce, ADA ince ıi",
        "ﬀada İ 13812345678İ",
    ] {
        let (out, _) = scrub(text, &same, None);
        assert!(!out.to_ascii_lowercase().contains("ada"), "{text} -> {out}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    #[test]
    fn find_and_scrub_never_panic_nor_hang(text in "[a-zA-Z0-9 +().:/@X-]{0,60}|\\PC{0,60}", a in "\\PC{0,12}", b in "[0-9a-zA-Z .-]{0,14}") {
        let same = vec![a.clone(), b.clone()];
        let tokens = bedside::privacy::text::identifier_tokens([a.as_str(), b.as_str()].into_iter());
        let found = find(&text, &same, Some(&tokens));
        for f in &found {
            proptest::prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end) && f.start < f.end);
        }
        let _ = scrub(&text, &same, Some(&tokens));
        let _ = bedside::privacy::detect::value_kind(&text);
    }
}

#[test]
fn reader_profile_and_suggest_follow_the_one_header_list() {
    // Headers only the detection list knew before: the reader keeps an insurance number as
    // text, the profile suggests `quasi` for a city, the suggested recipe pseudonymizes a
    // 病案号 and makes `Age_Years` and a 邮政编码 quasi-identifiers (all through `header_kind`).
    let csv = "Member ID,病案号,Age_Years,邮政编码,city,DOB,glucose,outcome\n\
               100234,A0001,34,010010,Hohhot,1980-02-03,5.1,0\n\
               100235,A0002,71,100082,Shanghai,1951-07-09,6.3,1\n\
               100236,A0003,55,200031,Beijing,1969-11-30,7.2,0\n\
               100237,A0004,48,200032,Tianjin,1976-05-14,5.8,1\n";
    let t = table(csv);
    let ty = |n: &str| t.column(n).unwrap().ctype;
    use bedside::table::ColumnType;
    assert_eq!(ty("Member ID"), ColumnType::Identifier);
    assert_eq!(ty("病案号"), ColumnType::Identifier);
    assert_eq!(
        ty("DOB"),
        ColumnType::Date,
        "a birth date is still read as a date"
    );
    assert_eq!(ty("Age_Years"), ColumnType::Numeric);
    assert_eq!(
        bedside::table::profile::suggested_role("city", ColumnType::Categorical),
        "quasi"
    );
    assert_eq!(
        bedside::table::profile::suggested_role("DOB", ColumnType::Date),
        "quasi"
    );
    assert_eq!(
        bedside::table::profile::suggested_role("glucose", ColumnType::Numeric),
        "feature"
    );
    let suggestion = bedside::suggest::suggest_explained(&t, Some("outcome"));
    let recipe = serde_json::to_value(&suggestion.recipe).unwrap();
    let step = |op: &str| {
        recipe["privacy"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["op"] == op)
            .cloned()
            .unwrap_or_else(|| panic!("no {op} step in {recipe}"))
    };
    assert_eq!(
        step("pseudonymize")["columns"],
        serde_json::json!(["病案号"])
    );
    assert_eq!(
        step("drop")["columns"],
        serde_json::json!(["Member ID", "DOB"])
    );
    // Age_Years, 邮政编码 and city are quasi-identifiers; four records cannot be 5-anonymous,
    // so no k_anonymize step is suggested and the notes say why.
    for c in ["Age_Years", "邮政编码", "city"] {
        assert_eq!(recipe["columns"][c], "quasi", "{c}");
    }
    assert!(
        suggestion
            .notes
            .iter()
            .any(|n| n.contains("no k_anonymize") && n.contains("fewer than k = 5")),
        "{:?}",
        suggestion.notes
    );
}

#[test]
fn suggested_models_fit_the_target_kind() {
    // A numeric target with many values is regression: the suggestion must run as it comes
    // (it once offered logistic regression on a follow-up time, which the run refuses).
    let mut csv = String::from("age,glucose,days,ward,died\n");
    for i in 0..60 {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            30 + i % 40,
            80 + (i * 7) % 50,
            10 + (i * 13) % 300,
            ["a", "b", "c"][i % 3],
            (i * 5 % 7 < 3) as u8
        ));
    }
    let loaded = bedside::load(csv.as_bytes(), "f.csv").unwrap();
    let s = bedside::suggest::suggest_explained(&loaded.parsed.table, Some("days"));
    let json = serde_json::to_value(&s.recipe).unwrap();
    let kinds: Vec<&str> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["linear_regression", "gradient_boosting"]);
    assert_eq!(json["evaluation"]["method"], "kfold");
    let out = common::run(&csv, &s.recipe.to_json()).unwrap();
    assert_eq!(out.report.models.len(), 2);
    assert!(out.report.models[0].metrics.contains_key("r2"));
    // A class target with three values gets no model, and a note saying why.
    let s = bedside::suggest::suggest_explained(&loaded.parsed.table, Some("ward"));
    assert!(s.recipe.models.is_empty());
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("'ward' has 3 distinct values")));
    // A two-valued target keeps the classification suggestion.
    let s = bedside::suggest::suggest(&loaded.parsed.table, Some("died"));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["models"][0]["kind"], "logistic_regression");
    assert_eq!(json["evaluation"]["method"], "stratified_kfold");
}
