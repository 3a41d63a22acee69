//! The fixture corpus (`tests/fixtures/plans/`): plans written in the
//! conventions people use, with examples taken from each convention's own
//! documentation, each beside the result it must give — the plan with every
//! field, its warnings and its errors — as a golden file reviewed by hand.
//!
//! `BLESS=1 cargo test --features ssr golden` rewrites the golden files;
//! read the diff before committing it.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::parse_plan;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans")
}

/// What a fixture gives, as the golden file holds it.
fn outcome(source: &str) -> Value {
    let diags = |list: &[super::Diagnostic]| -> Vec<String> {
        list.iter()
            .map(|d| format!("{}: {}", d.line, d.message))
            .collect()
    };
    match parse_plan(source) {
        Ok(parsed) => {
            let results: Vec<Value> = parsed
                .plan
                .results
                .iter()
                .map(|r| {
                    let mut v = serde_json::to_value(r).expect("a result serialises");
                    v["actions"] = serde_json::to_value(&r.actions).expect("actions serialise");
                    v
                })
                .collect();
            let mut plan = serde_json::to_value(&parsed.plan).expect("a plan serialises");
            plan["results"] = Value::Array(results);
            json!({ "plan": plan, "warnings": diags(&parsed.warnings) })
        }
        Err(refused) => json!({
            "errors": diags(&refused.errors),
            "warnings": diags(&refused.warnings),
        }),
    }
}

#[test]
fn every_fixture_gives_its_golden_result() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the fixture corpus exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !p.ends_with("README.md"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "the corpus lost its fixtures");
    let mut failures = Vec::new();
    for md in &fixtures {
        let source = std::fs::read_to_string(md).expect("a readable fixture");
        let got = serde_json::to_string_pretty(&outcome(&source)).expect("json") + "\n";
        let golden = md.with_extension("golden.json");
        if bless {
            std::fs::write(&golden, &got).expect("golden written");
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{}: differs from {}\n--- want\n{want}\n--- got\n{got}",
                md.display(),
                golden.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no golden file; run with BLESS=1 and review it",
                md.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
