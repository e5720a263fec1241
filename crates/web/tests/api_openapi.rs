//! The OpenAPI document: 3.1, every route described and every described route served, security
//! schemes, problem details.

use crate::api_common;
use crate::common;

use api_common::Client;
use hyper::Method;
use serde_json::Value;

const METHODS: &[&str] = &["get", "post", "put", "delete", "patch"];

fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(*m).is_some() {
                out.push((m.to_string(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn document_describes_exactly_the_routes() {
    let app = common::spawn_app().await;
    let c = Client::new(&app);
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/json"));
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    for s in ["Problem", "Command", "Application", "EligibilityReport", "BaseSummary"] {
        assert!(doc["components"]["schemas"].get(s).is_some(), "schema {s} missing");
    }
    let ops = operations(&doc);
    assert!(ops.len() >= 18, "{ops:?}");
    for (m, path) in &ops {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let op = &doc["paths"][path][m];
        assert!(op["operationId"].is_string(), "{m} {path}: operationId");
        assert!(op["responses"]["default"].is_object(), "{m} {path}: problem default");
        // Served: a described route answers neither 404 nor 405 (whatever else it says).
        let concrete = path.replace("{id}", "X-NONE").replace("{file}", "x");
        let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
        let resp = if method == Method::GET {
            c.get(&concrete).await
        } else {
            c.send(method, &concrete, &serde_json::json!({})).await
        };
        assert!(
            resp.status != 405,
            "{m} {path} is described but not served: {} {}",
            resp.status,
            resp.body
        );
        if !path.contains('{') {
            assert_ne!(
                resp.status, 404,
                "{m} {path} is described but not served: {}",
                resp.body
            );
        }
    }
    // And the other way: the API registers routes only through utoipa-axum (`routes!`), never
    // with a bare `.route(`, so nothing served can be missing from the document.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let mut handlers = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(
            !text.contains(".route("),
            "a bare .route( in src/api bypasses the document"
        );
        assert!(
            !text.contains(".route_service("),
            "a bare .route_service( bypasses the document"
        );
        if text.contains("fn build()") {
            let start = text.find("fn build()").unwrap();
            let body = &text[start..start + text[start..].find("\n}").unwrap()];
            handlers = body.matches("routes!(").map(|_| ()).count();
            let names: usize = body
                .split("routes!(")
                .skip(1)
                .map(|s| {
                    s[..s.find(')').unwrap()]
                        .split(',')
                        .filter(|x| !x.trim().is_empty())
                        .count()
                })
                .sum();
            assert_eq!(
                names,
                ops.len(),
                "every handler registered is an operation in the document"
            );
        }
    }
    assert!(handlers > 0, "the API's build() was not found");
    // An unknown API path is a problem, not a page.
    let p = c.get("/api/v1/nothing-here").await.problem(404);
    assert_eq!(p["code"], "not_found");
    // A known path with the wrong method.
    let r = c.raw(Method::PUT, "/api/v1/bases", None, &[]).await;
    assert!(r.status == 405 || r.status == 403, "{} {}", r.status, r.body);
    assert!(r.header("content-type").starts_with("application/problem+json"));
}

/// The document promises exactly what the server enforces (checked independently by
/// schemathesis in bench/fuzz.sh, docs/fuzzing.md).
#[tokio::test]
async fn the_document_is_exact() {
    let app = api_common::demo_app().await;
    let c = Client::new(&app);
    let doc = c.get("/api/v1/openapi.json").await.json();

    // Paging: declared 1.. and 1–200; 0, 201 and an empty value are refused naming the parameter.
    let params = doc["paths"]["/api/v1/bases"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
    assert_eq!(param("page")["minimum"], 1);
    assert_eq!(param("per_page")["minimum"], 1);
    assert_eq!(param("per_page")["maximum"], 200);
    assert_eq!(
        param("per_page")["type"],
        "integer",
        "never null: {}",
        param("per_page")
    );
    assert_eq!(param("q")["maxLength"], 100);
    assert!(
        param("sort")["enum"]
            .as_array()
            .unwrap()
            .contains(&Value::from("-recognised_on"))
    );
    for q in [
        "page=0",
        "per_page=0",
        "per_page=201",
        "per_page=",
        "as_of=",
        "sort=nonsense",
    ] {
        let field = q.split('=').next().unwrap();
        assert_eq!(
            c.get(&format!("/api/v1/bases?{q}")).await.problem(422)["field"],
            field,
            "{q}"
        );
    }
    assert_eq!(c.get("/api/v1/bases?page=1&per_page=200").await.status, 200);

    // The command body: one variant per command, chosen by `type`, closed.
    let command = &doc["components"]["schemas"]["Command"];
    assert_eq!(command["discriminator"]["propertyName"], "type");
    let variants = command["oneOf"].as_array().unwrap();
    // Every command but the official document, which only the system issues as it typesets it.
    assert_eq!(variants.len(), guohe_domain::Command::NAMES.len() - 1);
    assert!(command["discriminator"]["mapping"].get("IssueDocument").is_none());
    let reclassify = &doc["components"]["schemas"]["Command.Reclassify"];
    assert_eq!(reclassify["additionalProperties"], false);
    assert_eq!(reclassify["properties"]["type"]["const"], "Reclassify");
    assert!(
        reclassify["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("confirm"))
    );
    assert!(reclassify["properties"].get("opinion").is_none());
    let recommend = &doc["components"]["schemas"]["Command.RecommendApplication"];
    assert!(
        !recommend["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("confirm"))
    );
    // …and the server refuses what the document refuses: a Reclassify with a recommendation's field.
    c.login("hn-dept").await;
    let r = c
        .command(
            serde_json::json!({"type": "Reclassify", "confirm": true, "base": "HN-2026-01",
            "category": "joint_research", "reasons": "调整", "opinion": "同意推荐。"}),
        )
        .await;
    assert_eq!(r.problem(422)["field"], "opinion");

    // The eligibility facts: the real schema, with types, not a free-form object of anything.
    let app_ref = doc["components"]["schemas"]["Application"]["$ref"].as_str().unwrap();
    let facts = &doc["components"]["schemas"][app_ref.rsplit('/').next().unwrap()];
    assert_eq!(facts["properties"]["policy"]["type"], "string");
    assert_eq!(facts["additionalProperties"], false);
    assert!(facts["required"].as_array().unwrap().contains(&Value::from("unit")));
    let body = serde_json::json!({"policy": null});
    let r = c.post("/api/v1/eligibility", &body).await;
    assert_eq!(r.problem(422)["field"], "policy");

    // A method no route declares: 405 with Allow, not a CSRF refusal.
    for path in ["/api/v1/bases/HN-2026-01", "/api/v1/verify/public-key", "/api/v1/bases"] {
        for method in ["TRACE", "PUT", "PATCH"] {
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let r = c.raw(m, path, None, &[]).await;
            assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
            assert!(r.header("allow").contains("GET"), "{method} {path}: Allow");
        }
    }
}
