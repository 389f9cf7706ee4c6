//! Every argument that can hold a string taken from the data is marked `data_values` in its
//! step's declaration, so a share link (which leaves those out, www/actions.js) cannot carry
//! one. A new step with a text, map or list-of-text argument fails here until someone decides:
//! mark it `.data()` in its declaration, or add it below with the reason it cannot hold data.

use serde_json::Value;

/// Arguments that can hold text but never a value of the data, and why.
const NOT_DATA: &[(&str, &str, &str)] = &[
    (
        "redact",
        "text",
        "the replacement text the user types, e.g. [REDACTED]",
    ),
    ("mask", "char", "the masking character"),
    // Not a value of the data but a secret: the link leaves `key` out by its own rule.
    (
        "pseudonymize",
        "key",
        "the pseudonymization key (left out of links as a secret)",
    ),
    ("days_between", "name", "the name of the new column"),
    ("age_at", "name", "the name of the new column"),
    (
        "k_anonymize",
        "levels",
        "column name → level number of the lattice point pinned (no cell values)",
    ),
];

/// Can a value of this argument type hold text from the data? Column names are not cell values
/// (decided: they travel in the link); numbers and enums are not text.
fn holds_text(arg: &Value) -> bool {
    match arg["type"].as_str().unwrap() {
        "string" | "map" => true,
        "list" => match &arg["items"] {
            Value::String(t) => matches!(t.as_str(), "string" | "map"),
            items @ Value::Object(_) => holds_text(items),
            _ => true,
        },
        "object" => arg["args"].as_array().unwrap().iter().any(holds_text),
        "column" | "columns" | "integer" | "number" | "boolean" | "enum" => false,
        other => panic!("unknown argument type {other}: classify it here"),
    }
}

fn walk(step: &str, args: &[Value], unmarked: &mut Vec<String>, marked: &mut usize) {
    for arg in args {
        let name = arg["name"].as_str().unwrap();
        if arg["data_values"] == Value::Bool(true) {
            *marked += 1;
            continue;
        }
        if arg["type"] == "object" {
            walk(step, arg["args"].as_array().unwrap(), unmarked, marked);
            continue;
        }
        if holds_text(arg) && !NOT_DATA.iter().any(|&(s, a, _)| s == step && a == name) {
            unmarked.push(format!("{step}.{name}"));
        }
    }
}

#[test]
fn every_argument_that_can_hold_text_from_the_data_is_marked() {
    let schema = bedside::schema::schema();
    let (mut unmarked, mut marked) = (Vec::new(), 0);
    for (family, tag) in [("privacy", "op"), ("features", "op"), ("models", "kind")] {
        for step in schema[family].as_array().unwrap() {
            let name = step[tag].as_str().unwrap();
            walk(
                name,
                step["args"].as_array().unwrap(),
                &mut unmarked,
                &mut marked,
            );
        }
    }
    assert!(
        unmarked.is_empty(),
        "arguments that can hold text from the data but are not marked data_values: {unmarked:?}"
    );
    // The ones known today: hierarchy.hierarchy/default, pram.matrix, suppress.values,
    // k_anonymize.ladders, ordinal.order.
    assert!(marked >= 6, "only {marked} arguments marked data_values");
}

#[test]
fn the_allow_list_names_real_arguments_that_are_not_marked() {
    let schema = bedside::schema::schema();
    for &(step, arg, why) in NOT_DATA {
        let found = ["privacy", "features", "models"].iter().find_map(|f| {
            schema[*f].as_array().unwrap().iter().find_map(|s| {
                let tag = s.get("op").or_else(|| s.get("kind")).unwrap();
                (tag == step).then(|| {
                    s["args"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|a| a["name"] == arg)
                        .cloned()
                })?
            })
        });
        let found = found.unwrap_or_else(|| panic!("{step}.{arg} ({why}) is not in the schema"));
        assert_eq!(
            found["data_values"], false,
            "{step}.{arg} is marked: drop it here"
        );
    }
}

#[test]
fn every_top_level_recipe_field_is_classified() {
    // Fields that cannot hold a cell value: numbers, column names, steps (whose arguments are
    // classified above), model kinds and hyper-parameters, evaluation settings (column names and
    // numbers), risk options (numbers).
    const NOT_DATA: &[&str] = &[
        "version",
        "seed",
        "columns",
        "privacy",
        "features",
        "target",
        "models",
        "evaluation",
        "risk",
    ];
    for field in bedside::recipe::TOP_FIELDS {
        let data = bedside::schema::RECIPE_DATA_VALUES.contains(field);
        assert!(
            data != NOT_DATA.contains(field),
            "recipe field `{field}`: classify it (RECIPE_DATA_VALUES in src/schema.rs, or not data here)"
        );
    }
    let schema = bedside::schema::schema();
    assert_eq!(
        schema["recipe"]["data_values"],
        serde_json::json!(["positive"])
    );
}
