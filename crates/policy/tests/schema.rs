//! The published JSON Schema of the application facts is generated from the Rust types; this test
//! fails when they drift. Regenerate with `UPDATE_SCHEMA=1 cargo test -p guohe-policy --test policy schema::`.

use std::path::Path;

#[test]
fn published_schema_is_current() {
    let generated = serde_json::to_string_pretty(&guohe_policy::facts::json_schema()).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/application-facts.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/application-facts.schema.json is stale; regenerate with UPDATE_SCHEMA=1"
    );
}

#[test]
fn examples_satisfy_the_schema_shape() {
    // Every top-level required property of the schema is present in the examples.
    let schema = guohe_policy::facts::json_schema();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for text in [
        include_str!("../../../examples/applications/hunan-joint-research.json"),
        include_str!("../../../examples/applications/hubei-enterprise.json"),
    ] {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        for r in &required {
            assert!(v.get(r).is_some(), "example lacks {r}");
        }
    }
    assert!(required.contains(&"unit") && required.contains(&"application_date"));
}
