//! Free-text notes (issue 15): each identifier category, the clinical strings that must stay,
//! the date options, the per-category counts in the audit and the notes review.

use crate::common;

use bedside::privacy::text::{replace, scrub, DateMode, Scrubber};
use serde_json::json;

fn scrubbed(text: &str) -> String {
    scrub(text, &[], None).0
}

fn gone(text: &str, identifiers: &[&str], tag: &str) {
    let out = scrubbed(text);
    for v in identifiers {
        assert!(!out.contains(v), "{v} survived: {out}");
    }
    assert!(out.contains(tag), "{tag} missing: {out}");
}

fn kept(text: &str, strings: &[&str]) {
    let out = scrubbed(text);
    for v in strings {
        assert!(out.contains(v), "{v} lost: {text} -> {out}");
    }
}

#[test]
fn names_without_titles_relatives_and_multi_word_surnames() {
    gone(
        "Lives with her son-in-law Leonardo Terrazas.",
        &["Leonardo", "Terrazas"],
        "[NAME]",
    );
    gone(
        "Plan d/w Dr. de la Fuente, cardiology.",
        &["Fuente", "de la"],
        "Dr. [NAME]",
    );
    gone(
        "Her neighbor Sandra Okonkwo checks on her.",
        &["Sandra", "Okonkwo"],
        "[NAME]",
    );
    gone(
        "Signed: Anneliese Quarshie, MD",
        &["Anneliese", "Quarshie"],
        "[NAME], MD",
    );
    gone(
        "Spoke with Marisol (granddaughter) who reports a fall.",
        &["Marisol"],
        "[NAME] (granddaughter)",
    );
    gone("Seen by Priya RN this AM.", &["Priya"], "[NAME]");
    gone(
        "Consent witnessed by Jerry Kowalczyk.",
        &["Jerry", "Kowalczyk"],
        "[NAME]",
    );
    gone(
        "Mr. O'Sullivan reports chest pain.",
        &["O'Sullivan"],
        "Mr. [NAME]",
    );
}

#[test]
fn chinese_names_after_cues_and_before_titles() {
    gone(
        "患者张伟，男，因胸痛入院。家属王丽陪同。",
        &["张伟", "王丽"],
        "[NAME]",
    );
    gone(
        "王先生今日诉头晕，李女士代述病史。",
        &["王先生", "李女士"],
        "[NAME]先生",
    );
    gone("主治医生欧阳明建议复查。", &["欧阳明"], "[NAME]");
    gone("姓名：司马光 性别：男", &["司马光"], "[NAME]");
    gone("陈明主任查房：病情稳定。", &["陈明"], "[NAME]主任");
    kept(
        "患者诉胸痛3天，糖尿病史10年。",
        &["患者诉胸痛3天", "糖尿病史10年"],
    );
}

#[test]
fn dates_in_every_common_form() {
    for d in [
        "April 5, 2023",
        "5 Apr 2023",
        "23 June 2021",
        "Sept. 3, 2020",
        "4/5/23",
        "12/31/2024",
        "2024-03-01",
        "3.1.2024",
        "1-Dec-1979",
        "Jan 12",
        "2024年3月1日",
        "3月1日",
        "2023年04月",
    ] {
        let out = scrubbed(&format!("Seen on {d} for follow-up."));
        assert!(out.contains("[DATE]") && !out.contains(d), "{d}: {out}");
    }
    gone(
        "Labs repeated (2/4/24) and stable.",
        &["2/4/24"],
        "([DATE])",
    );
    gone("Admitted on 4/5 with dyspnea.", &["4/5"], "[DATE]");
    // Relative dates, a month alone and a year alone stay.
    kept(
        "Fever resolved 3 days later; follow up in May; diagnosed in 2019.",
        &["3 days later", "May", "2019"],
    );
}

#[test]
fn geography_zip_city_street_and_chinese_addresses() {
    gone(
        "Records from 12 Elm Street, Castroshire AZ 85975.",
        &["12 Elm", "Castroshire", "85975"],
        "[ZIP]",
    );
    gone(
        "Lives at 5844 Willow Spring Dr Apt 3, Riverton, OR 97301-1234.",
        &["5844", "Willow", "Riverton", "97301"],
        "[ADDRESS]",
    );
    gone(
        "Transferred from Oakhaven General yesterday.",
        &["Oakhaven"],
        "[ADDRESS] General",
    );
    gone(
        "Moved here from Tacoma last year.",
        &["Tacoma"],
        "[ADDRESS]",
    );
    gone(
        "住址：浙江省杭州市西湖区文三路90号3栋2单元501室。",
        &["浙江省", "杭州市", "文三路", "501室"],
        "[ADDRESS]",
    );
    gone("现住广州市天河区。", &["广州市", "天河区"], "[ADDRESS]");
    kept("State: AZ. Returned to the OR at 14:00.", &["AZ", "OR"]);
}

#[test]
fn other_safe_harbor_patterns() {
    gone(
        "Remote monitor at 2001:db8:85a3:0:0:8a2e:370:7334 and fe80::1ff:fe23:4567:890a.",
        &["2001:db8", "fe80::"],
        "[IP]",
    );
    gone(
        "MRN B6827688, acct 263351055.",
        &["B6827688", "263351055"],
        "[ID]",
    );
    gone(
        "License D1234567, plate 7ABC123, pacemaker serial SN42X123456.",
        &["D1234567", "7ABC123", "SN42X123456"],
        "[ID]",
    );
    gone("Aged 96, widowed.", &["96"], "[AGE]");
    gone(
        "A 102 yo man; 患者96岁；another 91 years old.",
        &["102", "96", "91"],
        "[AGE]",
    );
    gone(
        "联系邮箱zhang12@qq.com，随访请登录https://portal.example.cn/p/12",
        &["zhang12@qq.com", "portal.example.cn"],
        "[EMAIL]",
    );
    gone(
        "患者身份证号110105194912310021，手机13812345678。",
        &["110105194912310021", "13812345678"],
        "[PHONE]",
    );
    gone(
        "Portal: myhealth.example.org/p/77; call (617) 555-0123.",
        &["myhealth", "555-0123"],
        "[URL]",
    );
}

#[test]
fn clinical_content_is_kept() {
    let note = "NT-proBNP 1976 pg/mL. BP 128/82, HR 88. Metformin 500 mg bid. Dx I10, E11.9, I50.22. \
                4/5 strength LLE, 2/6 murmur. Given via PEG tube. Hx Parkinson's disease and Crohn's disease; \
                Alzheimer's dementia, Bell's palsy. Foley catheter. Wells score 4, CHA2DS2-VASc 3. \
                May need PT. A 67 yo Black man with High Fall Risk; repeat Head CT. Tylenol 650 mg q6h prn. A1c 7.2%. Creatinine 1.4 mg/dL. SpO2 94% on RA. 2 weeks of cough.";
    kept(
        note,
        &[
            "NT-proBNP 1976 pg/mL",
            "BP 128/82",
            "HR 88",
            "500 mg bid",
            "I10",
            "E11.9",
            "I50.22",
            "4/5 strength",
            "2/6 murmur",
            "via PEG",
            "Parkinson's",
            "Crohn's",
            "Alzheimer's",
            "Bell's palsy",
            "Foley",
            "Wells score 4",
            "CHA2DS2-VASc 3",
            "May need",
            "Tylenol 650 mg",
            "A1c 7.2%",
            "1.4 mg/dL",
            "SpO2 94%",
            "2 weeks",
            "Black man",
            "Fall Risk",
            "Head CT",
        ],
    );
    assert_eq!(scrubbed(note), note);
}

#[test]
fn cross_row_look_up_takes_names_and_long_ids_only() {
    // Identifier values of the table: a name with a common-word surname, a birth year, an MRN.
    let s = Scrubber::new(
        [
            "April May",
            "Via Gray",
            "1976",
            "MRN00412345",
            "Bo Terrazas",
        ]
        .into_iter(),
    );
    let note = "NT-proBNP 1976 pg/mL, given via PEG; follow up in May. Terrazas family called. Ref MRN00412345.";
    let found = s.find(note, &[]);
    let (out, _) = replace(note, &found, DateMode::Tag);
    assert!(
        out.contains("1976 pg/mL") && out.contains("via PEG") && out.contains("in May"),
        "{out}"
    );
    assert!(
        !out.contains("Terrazas") && !out.contains("MRN00412345"),
        "{out}"
    );
    // A number equal to the record's own birth year stays unless it is written as a date.
    let same = vec!["1976".to_string(), "Ada Gray".to_string()];
    let found = s.find("Born 1976. NT-proBNP 1976 pg/mL. Gray reports pain.", &same);
    let (out, _) = replace(
        "Born 1976. NT-proBNP 1976 pg/mL. Gray reports pain.",
        &found,
        DateMode::Tag,
    );
    assert_eq!(out, "Born 1976. NT-proBNP 1976 pg/mL. [NAME] reports pain.");
}

#[test]
fn dates_keep_the_year_or_move_with_the_shift() {
    let note = "Seen April 5, 2023 and 2023年4月9日; again 4/12/23.";
    let found = scrub_found(note);
    assert_eq!(
        replace(note, &found, DateMode::Year).0,
        "Seen 2023 and 2023年; again 2023."
    );
    assert_eq!(
        replace(note, &found, DateMode::Shift(-10)).0,
        "Seen 2023-03-26 and 2023年3月30日; again 2023-04-02."
    );
    // A date without a year cannot keep a year: it becomes a tag.
    let f = scrub_found("Seen Jan 12.");
    assert_eq!(
        replace("Seen Jan 12.", &f, DateMode::Year).0,
        "Seen [DATE]."
    );
}

fn scrub_found(text: &str) -> Vec<bedside::privacy::text::Found> {
    Scrubber::new(std::iter::empty()).find(text, &[])
}

const NOTES_CSV: &str = "name,mrn,admitted,note\n\
Ada Quill,B6827688,2024-03-01,\"Ada Quill seen 2024-03-01 with son Leonardo Terrazas; Dr. Oyelaran called. Follow-up April 5, 2024.\"\n\
Bo Vance,C1234567,2024-05-10,\"Vance stable since 5/10/2024; NT-proBNP 1976 pg/mL, reviewed by the Zorvath team.\"\n";

fn run_notes(steps: serde_json::Value) -> bedside::pipeline::Output {
    let recipe = json!({"version": 1, "seed": 7, "columns": {"name": "identifier", "mrn": "identifier", "note": "text"}, "privacy": steps});
    common::run(NOTES_CSV, &recipe.to_string()).unwrap()
}

fn notes_of(out: &bedside::pipeline::Output) -> Vec<String> {
    let c = out.masked.column("note").unwrap();
    (0..out.masked.rows())
        .filter_map(|r| c.values.text(r))
        .collect()
}

#[test]
fn the_audit_counts_replacements_per_category_and_lists_possible_names() {
    let out = run_notes(
        json!([{"op": "drop", "columns": ["name", "mrn"]}, {"op": "scrub_text", "columns": ["note"]}]),
    );
    let entry = out
        .report
        .audit
        .iter()
        .find(|a| a.op == "scrub_text")
        .unwrap();
    let result = &entry.args["result"];
    assert_eq!(result["replaced"]["NAME"], 4, "{result}");
    assert_eq!(result["replaced"]["DATE"], 3, "{result}");
    assert_eq!(result["replaced"]["ZIP"], 0);
    // "Zorvath" is nobody's identifier value and on no list: kept, and counted for review; the
    // Report says how many, never which (the page's review lists them).
    assert_eq!(result["possible_names_kept"], 1, "{result}");
    let report = serde_json::to_string(&out.report).unwrap();
    assert!(!report.contains("Zorvath"), "{report}");
    let notes = notes_of(&out).join("\n");
    for v in [
        "Ada",
        "Quill",
        "Terrazas",
        "Oyelaran",
        "Vance",
        "2024-03-01",
        "April 5",
    ] {
        assert!(!notes.contains(v), "{v}: {notes}");
    }
    assert!(notes.contains("1976 pg/mL"));
    let report = serde_json::to_string(&out.report).unwrap();
    for v in ["Quill", "Terrazas", "B6827688", "Oyelaran"] {
        assert!(!report.contains(v), "{v} in the report");
    }
}

#[test]
fn shift_like_moves_note_dates_with_the_shifted_column() {
    let out = run_notes(json!([
        {"op": "date_shift", "columns": ["admitted"], "by": "mrn", "max_days": 30},
        {"op": "drop", "columns": ["name", "mrn"]},
        {"op": "scrub_text", "columns": ["note"], "shift_like": "admitted"}
    ]));
    let adm = out.masked.column("admitted").unwrap();
    let notes = notes_of(&out);
    // The admission date written in the note is now the shifted admission date.
    let a0 = adm.values.text(0).unwrap();
    assert!(
        notes[0].contains(&format!("seen {a0}")),
        "{a0}: {}",
        notes[0]
    );
    let a1 = adm.values.text(1).unwrap();
    assert!(
        notes[1].contains(&format!("since {a1}")),
        "{a1}: {}",
        notes[1]
    );
    // Before any date_shift the option is refused, naming the field.
    let recipe = json!({"version": 1, "seed": 7, "columns": {"name": "identifier", "mrn": "identifier"}, "privacy": [
        {"op": "drop", "columns": ["name", "mrn"]}, {"op": "scrub_text", "columns": ["note"], "shift_like": "admitted"}]});
    let e = common::run(NOTES_CSV, &recipe.to_string())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("privacy[1] (scrub_text), field 'shift_like'") && e.contains("not moved"),
        "{e}"
    );
    let recipe = json!({"version": 1, "seed": 7, "columns": {}, "privacy": [
        {"op": "scrub_text", "columns": ["note"], "shift_like": "admitted", "keep": "year"}]});
    let e = common::run(NOTES_CSV, &recipe.to_string())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("either keep or shift_like"), "{e}");
}

#[test]
fn keep_year_leaves_only_years() {
    let out = run_notes(
        json!([{"op": "drop", "columns": ["name", "mrn"]}, {"op": "scrub_text", "columns": ["note"], "keep": "year"}]),
    );
    let notes = notes_of(&out);
    assert!(
        notes[0].contains("seen 2024 ") && notes[0].contains("Follow-up 2024."),
        "{}",
        notes[0]
    );
    assert!(notes[1].contains("since 2024;"), "{}", notes[1]);
}

#[test]
fn review_gives_spans_and_categories_without_original_text() {
    let loaded = bedside::load(NOTES_CSV.as_bytes(), "n.csv").unwrap();
    let recipe = bedside::recipe::Recipe::from_json(
        &json!({"version": 1, "seed": 7, "columns": {"name": "identifier", "mrn": "identifier", "note": "text"},
                "privacy": [{"op": "drop", "columns": ["name", "mrn"]}, {"op": "scrub_text", "columns": ["note"]}]})
        .to_string(),
    )
    .unwrap();
    let r = bedside::pipeline::notes_review(&loaded.parsed.table, &recipe, 1, &[7; 32], 1).unwrap();
    assert_eq!(r.notes.len(), 1);
    let n = &r.notes[0];
    assert_eq!(n.row, 0);
    let scrubbed: Vec<u16> = n.scrubbed.encode_utf16().collect();
    for s in &n.spans {
        assert_eq!(
            String::from_utf16(&scrubbed[s.start..s.end]).unwrap(),
            format!("[{}]", s.category)
        );
    }
    let original: Vec<u16> = "Ada Quill seen 2024-03-01".encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&original[n.original_spans[0].start..n.original_spans[0].end]).unwrap(),
        "Ada Quill"
    );
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        !json.contains("Quill") && !json.contains("Terrazas"),
        "{json}"
    );
    let e =
        bedside::pipeline::notes_review(&loaded.parsed.table, &recipe, 0, &[7; 32], 1).unwrap_err();
    assert!(e.to_string().contains("not a scrub_text step"), "{e}");
}

#[test]
fn review_shows_notes_with_a_replacement_first() {
    let csv = "id,note,y\n1,stable on room air,0\n2,BP 128/82; metformin 500 mg bid,1\n3,Seen by Dr. Okafor on 2024-03-01,0\n4,no change,1\n";
    let loaded = bedside::load(csv.as_bytes(), "n.csv").unwrap();
    let recipe = bedside::recipe::Recipe::from_json(
        &json!({"version": 1, "seed": 7, "columns": {"id": "identifier", "note": "text"},
                "privacy": [{"op": "drop", "columns": ["id"]}, {"op": "scrub_text", "columns": ["note"]}]})
        .to_string(),
    )
    .unwrap();
    let r = bedside::pipeline::notes_review(&loaded.parsed.table, &recipe, 1, &[7; 32], 2).unwrap();
    let rows: Vec<usize> = r.notes.iter().map(|n| n.row).collect();
    // Row 2 (0-based) is the only note with identifiers: it comes first, then the table order.
    assert_eq!(rows, [2, 0]);
    assert!(r.notes[1].spans.is_empty());
    assert_eq!(r.replaced["NAME"], 1, "{:?}", r.replaced);
    assert_eq!(r.replaced["DATE"], 1, "{:?}", r.replaced);
}
