//! The command body's schema: a `oneOf` of one schema per command, discriminated by `type`, each
//! closed (`additionalProperties: false`) exactly as the command's `deny_unknown_fields`, and
//! each irreversible command requiring `"confirm": true` (the server answers 428 without it).
//! The variants' field schemas come from the domain types themselves (schemars), so the document
//! cannot drift from what the server decodes.

use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{Components, Discriminator, Object, OneOfBuilder, Ref, Schema, SchemaType};

use guohe_domain::Command;

/// Where the variants and the types they use live among the document's schemas: `Command.X`
/// keeps them apart from the API's own schemas (the API's `Application` is a summary, the
/// command's `Application` the facts).
const PREFIX: &str = "Command.";

/// Commands the API never takes: an official document's hash goes on the chain only when the
/// system typesets it (the case's page or `guohe document issue`), so the body schema leaves it
/// out and the server refuses it (403).
pub const NOT_THROUGH_THE_API: &[&str] = &["IssueDocument"];

/// The commands the body may carry.
fn api_commands() -> impl Iterator<Item = &'static &'static str> {
    Command::NAMES.iter().filter(|n| !NOT_THROUGH_THE_API.contains(n))
}

/// The schema of every command's fields, and of the types they use, by their own name.
fn field_schemas() -> Map<String, Value> {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.meta_schema = None)
        .into_generator();
    macro_rules! variants {
        ($($variant:ident),* $(,)?) => {
            $( generator.subschema_for::<guohe_domain::$variant>(); )*
        };
    }
    variants!(
        OpenRound,
        CloseRound,
        SubmitApplication,
        ResubmitApplication,
        WithdrawApplication,
        ReturnApplication,
        RecommendApplication,
        AssignExpert,
        DeclareConflict,
        SubmitReview,
        RecordSiteInspection,
        Decide,
        StartPublicNotice,
        LodgeObjection,
        ResolveObjection,
        Name,
        SubmitAnnualReport,
        RecordAnnualAssessment,
        RecordEvaluation,
        RecordReEvaluation,
        RecordFinding,
        FileMajorChange,
        ApproveMajorChange,
        RejectMajorChange,
        CarryOverBase,
        Reclassify,
        DrawInspections,
        RecordInspectionResult,
        DrawExpertPanel,
        DeclinePanelSeat,
        AwardPostSubsidies,
        RecommendToNational,
        RecordNationalOutcome,
    );
    generator.take_definitions(true)
}

/// Points every `$ref` at the document's schemas, under [`PREFIX`].
fn relocate(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                if k == "$ref"
                    && let Value::String(r) = child
                    && let Some(name) = r.strip_prefix("#/$defs/")
                {
                    *r = format!("#/components/schemas/{PREFIX}{name}");
                } else {
                    relocate(child);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(relocate),
        _ => {}
    }
}

/// A JSON Schema carried as it is (OpenAPI 3.1 schemas are JSON Schema 2020-12).
fn raw(schema: Map<String, Value>) -> Schema {
    let mut o = Object::new();
    o.schema_type = SchemaType::AnyValue;
    o.extensions = Some(Extensions::from_iter(schema));
    Schema::Object(o)
}

/// Every command's schema and the types they use, as `Command.X` schemas of the document.
pub fn components() -> Vec<(String, Schema)> {
    let mut out = Vec::new();
    for (name, mut schema) in field_schemas() {
        relocate(&mut schema);
        let Value::Object(mut obj) = schema else { continue };
        if Command::NAMES.contains(&name.as_str()) {
            let props = obj.entry("properties").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(props) = props {
                props.insert("type".into(), json!({ "type": "string", "const": name }));
                let irreversible = Command::IRREVERSIBLE.contains(&name.as_str());
                props.insert(
                    "confirm".into(),
                    if irreversible {
                        json!({ "type": "boolean", "const": true, "description": "This command cannot be undone: `true` confirms it (without it: 428, nothing done)." })
                    } else {
                        json!({ "type": "boolean", "description": "Accepted and ignored: this command can be undone." })
                    },
                );
                let mut required: Vec<Value> = vec![json!("type")];
                if irreversible {
                    required.push(json!("confirm"));
                }
                if let Some(Value::Array(r)) = obj.get("required") {
                    required.extend(r.iter().cloned());
                }
                obj.insert("required".into(), Value::Array(required));
                // Closed, as the command's `deny_unknown_fields`.
                obj.insert("additionalProperties".into(), json!(false));
                obj.insert("type".into(), json!("object"));
            }
        }
        out.push((format!("{PREFIX}{name}"), raw(obj)));
    }
    out
}

/// Adds [`components`] to the document's schemas.
pub fn add_to(components: &mut Components) {
    for (name, schema) in self::components() {
        components.schemas.insert(name, RefOr::T(schema));
    }
}

/// The body: exactly one command, chosen by `type`.
pub fn one_of() -> Schema {
    let mut discriminator = Discriminator::new("type");
    let mut one_of = OneOfBuilder::new().description(Some(
        "A domain command: `type` names it, the other members are its fields, exactly as the command line and the simulation format take them (docs/lifecycle.md, docs/simulation.md); no other member is accepted. `facts` of SubmitApplication and ResubmitApplication is an application as described by docs/application-facts.schema.json. An irreversible command must carry `\"confirm\": true` (without it the answer is 428 and nothing is done).",
    ));
    for name in api_commands() {
        let reference = format!("#/components/schemas/{PREFIX}{name}");
        discriminator.mapping.insert(name.to_string(), reference.clone());
        one_of = one_of.item(Ref::new(reference));
    }
    let mut one_of = one_of.discriminator(Some(discriminator)).build();
    one_of.examples = vec![json!({
        "type": "RecommendApplication",
        "application": "HN-2026-204",
        "recommender": "株洲市科学技术局",
        "opinion": "经形式审查，材料齐全，同意推荐。"
    })];
    Schema::OneOf(one_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_closed_variant() {
        let all: std::collections::BTreeMap<String, Schema> = components().into_iter().collect();
        for name in api_commands() {
            let s = serde_json::to_value(&all[&format!("{PREFIX}{name}")]).unwrap();
            assert_eq!(s["additionalProperties"], false, "{name}");
            assert_eq!(s["properties"]["type"]["const"], *name);
        }
        let body = serde_json::to_value(one_of()).unwrap();
        let listed = body["oneOf"].as_array().unwrap().len();
        assert_eq!(listed, Command::NAMES.len() - NOT_THROUGH_THE_API.len());
        assert!(body["discriminator"]["mapping"].get("IssueDocument").is_none());
    }
}
