//! A plan written out in any of the conventions the parser reads —
//! canonical labels, one-line checklist runs, Dataview fields, Obsidian
//! Tasks emoji, Logseq markers and properties, an exported table — parses
//! back to the same plan, with no warning.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::{parse_plan, ActionDoc, PlanDoc};
use crate::model::{ActionStatus, FunnelStage};

/// The fields a plan can say about an action, in a form every writer can
/// write.
#[derive(Debug, Clone)]
struct Action {
    code: String,
    text: String,
    owner: Option<&'static str>,
    due: Option<NaiveDate>,
    stage: FunnelStage,
    status: ActionStatus,
    estimate: Option<f64>,
    actual: Option<f64>,
    deps: Vec<String>,
    blocker: Option<String>,
    evidence: Option<String>,
    done: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct Plan {
    week_start: NaiveDate,
    results: Vec<(String, String, Vec<Action>)>,
}

const OWNERS: [&str; 4] = ["Jesse", "QA Agent", "Suno Agent", "Research Agent"];
const STAGES: [FunnelStage; 3] = [FunnelStage::Top, FunnelStage::Middle, FunnelStage::Bottom];

/// Prose a person could write; never a word a plan uses to say "nothing
/// here" (`tbd`, `none`, `null`: `apply::blank`), which reads back as no
/// value at all.
fn words() -> impl Strategy<Value = String> {
    "[a-z]{3,8}( [a-z]{3,8}){0,3}".prop_filter("a blank-meaning value", |w| !super::apply::blank(w))
}

fn hours() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of((1u32..16).prop_map(|h| f64::from(h) / 2.0))
}

/// An action without its code and dependencies (given by the plan).
fn action() -> impl Strategy<Value = Action> {
    (
        words(),
        proptest::option::of(0usize..4),
        proptest::option::of(0u64..7),
        0usize..3,
        0usize..6,
        hours(),
        hours(),
        words(),
        any::<bool>(),
        0u64..7,
    )
        .prop_map(
            |(text, owner, due, stage, status, estimate, actual, blocker, evidence, done)| {
                let status = ActionStatus::ALL[status];
                Action {
                    code: String::new(),
                    text,
                    owner: owner.map(|i| OWNERS[i]),
                    due: due.map(|d| NaiveDate::MIN + Days::new(d)),
                    stage: STAGES[stage],
                    status,
                    estimate,
                    actual,
                    deps: Vec::new(),
                    blocker: (status == ActionStatus::Blocked).then_some(blocker),
                    evidence: evidence.then(|| "docs/evidence/report.md".to_string()),
                    done: (status == ActionStatus::Completed)
                        .then(|| NaiveDate::MIN + Days::new(done)),
                }
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        0u64..150,
        proptest::collection::vec(
            (words(), words(), proptest::collection::vec(action(), 1..4)),
            1..4,
        ),
        proptest::collection::vec(any::<prop::sample::Index>(), 8),
    )
        .prop_map(|(week, results, picks)| {
            let monday = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap() + Days::new(7 * week);
            let mut codes: Vec<String> = Vec::new();
            let results = results
                .into_iter()
                .enumerate()
                .map(|(ri, (title, purpose, actions))| {
                    let actions = actions
                        .into_iter()
                        .map(|mut a| {
                            let day = |d: NaiveDate| {
                                monday
                                    + Days::new(
                                        d.signed_duration_since(NaiveDate::MIN).num_days() as u64
                                    )
                            };
                            a.due = a.due.map(day);
                            a.done = a.done.map(day);
                            a.code =
                                format!("{}-{}", ["DATA", "WEB", "ALB"][ri % 3], 100 + codes.len());
                            // Up to two dependencies on earlier actions.
                            if !codes.is_empty() {
                                let n = picks[codes.len() % 8].index(3);
                                for k in 0..n {
                                    let dep = codes
                                        [picks[(codes.len() + k) % 8].index(codes.len())]
                                    .clone();
                                    if !a.deps.contains(&dep) {
                                        a.deps.push(dep);
                                    }
                                }
                            }
                            codes.push(a.code.clone());
                            a
                        })
                        .collect();
                    (title, purpose, actions)
                })
                .collect();
            Plan {
                week_start: monday,
                results,
            }
        })
}

fn hrs(h: f64) -> String {
    format!("{h}h")
}

fn box_of(s: ActionStatus) -> char {
    match s {
        ActionStatus::Pending => ' ',
        ActionStatus::InProgress => '/',
        ActionStatus::Blocked => '!',
        ActionStatus::Completed => 'x',
        ActionStatus::Cancelled => '-',
        ActionStatus::Deferred => '>',
    }
}

fn front(p: &Plan) -> String {
    format!(
        "---\nweek_start: {}\nowner: Jesse CEO\n---\n# Plan\n\n",
        p.week_start
    )
}

/// `### CODE: text` and one bold label a line.
fn canonical(p: &Plan) -> String {
    let mut s = front(p);
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("## R{}: {title}\n**Purpose:** {purpose}\n\n", i + 1);
        for a in actions {
            s += &format!("### {}: {}\n", a.code, a.text);
            s += &format!(
                "**Stage:** {}\n**Status:** {}\n",
                a.stage.as_str(),
                a.status.as_str()
            );
            let mut label = |l: &str, v: Option<String>| {
                if let Some(v) = v {
                    s += &format!("**{l}:** {v}\n");
                }
            };
            label("Owner", a.owner.map(str::to_string));
            label("Due", a.due.map(|d| d.to_string()));
            label("Estimate", a.estimate.map(hrs));
            label("Actual", a.actual.map(hrs));
            label(
                "Dependencies",
                (!a.deps.is_empty()).then(|| a.deps.join(", ")),
            );
            label("Blocker", a.blocker.clone());
            label("Evidence", a.evidence.clone());
            label("Completed on", a.done.map(|d| d.to_string()));
            s += "\n";
        }
    }
    s
}

/// `- [x] **CODE** — text | Owner: … | Due: …` on one line.
fn checklist(p: &Plan) -> String {
    let mut s = front(p);
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("## R{} — {title}\nPurpose: {purpose}\n\n", i + 1);
        for a in actions {
            s += &format!("- [{}] **{}** — {}", box_of(a.status), a.code, a.text);
            s += &format!(" | Funnel: {}", a.stage.as_str());
            let mut run = |l: &str, v: Option<String>| {
                if let Some(v) = v {
                    s += &format!(" | {l}: {v}");
                }
            };
            run("Owner", a.owner.map(str::to_string));
            run("Due", a.due.map(|d| d.format("%b %-d, %Y").to_string()));
            run("Est", a.estimate.map(hrs));
            run("Actual", a.actual.map(hrs));
            run(
                "Depends on",
                (!a.deps.is_empty()).then(|| a.deps.join(", ")),
            );
            run("Blocker", a.blocker.clone());
            run("Evidence", a.evidence.clone());
            run("Done", a.done.map(|d| d.to_string()));
            s += "\n";
        }
        s += "\n";
    }
    s
}

/// Dataview inline fields: `- [ ] CODE: text [owner:: …] (due:: …)`.
fn dataview(p: &Plan) -> String {
    let mut s = format!(
        "# Plan\nweek_start:: {}\nOwner:: Jesse CEO\n\n",
        p.week_start
    );
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("## R{}: {title}\nPurpose:: {purpose}\n\n", i + 1);
        for a in actions {
            s += &format!("- [{}] {}: {}", box_of(a.status), a.code, a.text);
            s += &format!(" [stage:: {}]", a.stage.as_str());
            let mut field = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    s += &format!(" ({k}:: {v})");
                }
            };
            field("owner", a.owner.map(str::to_string));
            field("due", a.due.map(|d| d.to_string()));
            field("estimate", a.estimate.map(hrs));
            field("actual", a.actual.map(hrs));
            field("dependsOn", (!a.deps.is_empty()).then(|| a.deps.join(",")));
            field("blocker", a.blocker.clone());
            field("evidence", a.evidence.clone());
            field("completion", a.done.map(|d| d.to_string()));
            s += "\n";
        }
        s += "\n";
    }
    s
}

/// Obsidian Tasks: emoji for the dates and dependencies, Dataview fields
/// for what has no emoji.
fn emoji(p: &Plan) -> String {
    let mut s = front(p);
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("## R{}: {title}\nPurpose: {purpose}\n\n", i + 1);
        for a in actions {
            s += &format!("- [{}] #task {}: {}", box_of(a.status), a.code, a.text);
            s += &format!(" [stage:: {}]", a.stage.as_str());
            for (k, v) in [
                ("owner", a.owner.map(str::to_string)),
                ("estimate", a.estimate.map(hrs)),
                ("actual", a.actual.map(hrs)),
                ("blocker", a.blocker.clone()),
                ("evidence", a.evidence.clone()),
            ] {
                if let Some(v) = v {
                    s += &format!(" [{k}:: {v}]");
                }
            }
            if !a.deps.is_empty() {
                s += &format!(" ⛔ {}", a.deps.join(","));
            }
            if let Some(d) = a.due {
                s += &format!(" 📅 {d}");
            }
            if let Some(d) = a.done {
                s += &format!(" ✅ {d}");
            }
            s += "\n";
        }
        s += "\n";
    }
    s
}

/// Logseq: an outline with markers, properties and `DEADLINE: <…>`.
fn logseq(p: &Plan) -> String {
    let mut s = format!("week-start:: {}\nowner:: Jesse CEO\n\n", p.week_start);
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("- ## R{}: {title}\n  purpose:: {purpose}\n", i + 1);
        for a in actions {
            let marker = match a.status {
                ActionStatus::Pending => "TODO ",
                ActionStatus::InProgress => "DOING ",
                ActionStatus::Blocked => "WAITING ",
                ActionStatus::Completed => "DONE ",
                ActionStatus::Cancelled => "CANCELLED ",
                // Logseq has no marker for it: a property says it.
                ActionStatus::Deferred => "",
            };
            s += &format!("\t- {marker}{} {}\n", a.code, a.text);
            if a.status == ActionStatus::Deferred {
                s += "\t  status:: deferred\n";
            }
            if let Some(d) = a.due {
                s += &format!("\t  DEADLINE: <{}>\n", d.format("%Y-%m-%d %a"));
            }
            s += &format!("\t  funnel:: {}\n", a.stage.as_str());
            for (k, v) in [
                ("owner", a.owner.map(str::to_string)),
                ("estimate", a.estimate.map(hrs)),
                ("actual", a.actual.map(hrs)),
                (
                    "depends-on",
                    (!a.deps.is_empty()).then(|| a.deps.join(", ")),
                ),
                ("blocker", a.blocker.clone()),
                ("evidence", a.evidence.clone()),
                ("completed", a.done.map(|d| d.to_string())),
            ] {
                if let Some(v) = v {
                    s += &format!("\t  {k}:: {v}\n");
                }
            }
        }
    }
    s
}

/// A table as spreadsheets and Notion export it, name first, the blocker
/// after the table.
fn table(p: &Plan) -> String {
    let mut s = front(p);
    for (i, (title, purpose, actions)) in p.results.iter().enumerate() {
        s += &format!("## R{}: {title}\nPurpose: {purpose}\n\n", i + 1);
        s += "| Name | ID | Assignee | Status | Due Date | Funnel | Estimate | Time Spent | Depends on | Evidence | Completed |\n";
        s += "|---|---|---|---|---|---|---|---|---|---|---|\n";
        let opt = |v: Option<String>| v.unwrap_or_default();
        for a in actions {
            let status = match a.status {
                ActionStatus::Pending => "Not started",
                ActionStatus::InProgress => "In progress",
                ActionStatus::Completed => "Done",
                other => other.label(),
            };
            s += &format!(
                "| {} | {} | {} | {status} | {} | {} | {} | {} | {} | {} | {} |\n",
                a.text,
                a.code,
                opt(a.owner.map(str::to_string)),
                opt(a.due.map(|d| d.format("%B %-d, %Y").to_string())),
                a.stage.as_str(),
                opt(a.estimate.map(|h| format!("{h} hrs"))),
                opt(a.actual.map(|h| format!("{}m", h * 60.0))),
                a.deps.join(", "),
                opt(a.evidence.clone()),
                opt(a.done.map(|d| d.format("%B %-d, %Y").to_string())),
            );
        }
        s += "\n";
        for a in actions {
            if let Some(b) = &a.blocker {
                s += &format!("Blocker for {}: {b}\n", a.code);
            }
        }
        s += "\n";
    }
    s
}

/// What the comparison sees of an action.
type Seen = (
    String,
    String,
    Option<String>,
    Option<NaiveDate>,
    FunnelStage,
    ActionStatus,
    Option<f64>,
    Option<f64>,
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
);

/// Writes a plan in one convention.
type Writer = fn(&Plan) -> String;

/// The fields compared: everything but line numbers and the times of day
/// (every date is read as 5 pm UTC).
fn seen(a: &ActionDoc) -> Seen {
    (
        a.code.clone(),
        a.text.clone(),
        a.owner.clone(),
        a.due.map(|d| d.date_naive()),
        a.stage,
        a.status,
        a.estimated_hours,
        a.actual_hours,
        a.dependencies.clone(),
        a.blocker.clone(),
        a.evidence.clone(),
        a.completed_at.map(|d| d.date_naive()),
    )
}

fn check(p: &Plan, written: &str, got: &PlanDoc) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.week_start, p.week_start, "{}", written);
    prop_assert_eq!(got.results.len(), p.results.len(), "{}", written);
    for (r, (title, purpose, actions)) in got.results.iter().zip(&p.results) {
        prop_assert_eq!(&r.title, title, "{}", written);
        prop_assert_eq!(&r.purpose, purpose, "{}", written);
        prop_assert_eq!(r.actions.len(), actions.len(), "{}", written);
        for (g, a) in r.actions.iter().zip(actions) {
            let want = (
                a.code.clone(),
                a.text.clone(),
                a.owner.map(str::to_string),
                a.due,
                a.stage,
                a.status,
                a.estimate,
                a.actual,
                a.deps.clone(),
                a.blocker.clone(),
                a.evidence.clone(),
                a.done,
            );
            prop_assert_eq!(seen(g), want, "{}", written);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_plan_written_in_any_convention_parses_back_to_itself(p in plan()) {
        let writers: [(&str, Writer); 6] = [
            ("canonical", canonical),
            ("checklist", checklist),
            ("dataview", dataview),
            ("emoji", emoji),
            ("logseq", logseq),
            ("table", table),
        ];
        for (name, write) in writers {
            let written = write(&p);
            let parsed = parse_plan(&written).map_err(|e| {
                TestCaseError::fail(format!("{name}: refused {:?}\n{written}", e.errors))
            })?;
            prop_assert!(parsed.warnings.is_empty(), "{}: warnings {:?}\n{}", name, parsed.warnings, written);
            check(&p, &written, &parsed.plan).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        }
    }
}
