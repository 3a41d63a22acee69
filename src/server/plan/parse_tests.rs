use chrono::NaiveDate;

use super::parse_plan;
use crate::model::{ActionStatus, FunnelStage};
use crate::server::plan::PlanDoc;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ok(md: &str) -> PlanDoc {
    parse_plan(md)
        .unwrap_or_else(|e| panic!("{:?}\n---\n{md}", e.errors))
        .plan
}

/// The first error, as `plan.md:line: reason`.
fn err(md: &str) -> String {
    parse_plan(md).expect_err("should be refused").errors[0].at("plan.md")
}

const CANONICAL: &str = "\
---
week_start: 2025-10-27
week_end: 2025-11-02
owner: Jesse CEO
classification: TIER 1 ABSOLUTE STANDARD
version: v3.1
status: active
---
# RPM Weekly Plan

## R1: Boot System Fixed
**Purpose:** Every session starts clean.
**Priority:** 1
**Category:** ARCH
**Revenue target:** $5,000

### ARCH-BOOT-001a: Fix the environment check
**Owner:** Artifacts Agent
**Due:** Oct 28
**Stage:** top
**Status:** completed
**Estimate:** 2h
**Actual:** 2.5 hours
**Completed on:** Oct 28
**Dependencies:** None
**Verification:** boot log is clean
**Evidence:** gs://rpm/evidence/boot.log

### ARCH-BOOT-001b: Verify on a clean machine
**Owner:** QA Agent
**Due:** 2025-10-29
**Stage:** middle
**Status:** blocked
**Blocker:** waiting for a clean VM
**Dependencies:** ARCH-BOOT-001a
";

#[test]
fn the_canonical_format_fills_every_field() {
    let plan = ok(CANONICAL);
    assert_eq!(
        (plan.week_start, plan.week_end),
        (ymd(2025, 10, 27), ymd(2025, 11, 2))
    );
    assert_eq!(plan.owner, "Jesse CEO");
    assert_eq!(
        plan.classification.as_deref(),
        Some("TIER 1 ABSOLUTE STANDARD")
    );
    assert_eq!(plan.version.as_deref(), Some("v3.1"));
    assert_eq!(plan.title.as_deref(), Some("RPM Weekly Plan"));
    let r = &plan.results[0];
    assert_eq!(
        (r.code.as_str(), r.title.as_str()),
        ("R1", "Boot System Fixed")
    );
    assert_eq!(r.purpose, "Every session starts clean.");
    assert_eq!(
        (r.priority, r.category.as_deref(), r.revenue_target),
        (1, Some("ARCH"), Some(5000.0))
    );
    assert_eq!(r.status, "blocked");
    let a = &r.actions[0];
    assert_eq!(a.code, "ARCH-BOOT-001a");
    assert_eq!(a.owner.as_deref(), Some("Artifacts Agent"));
    assert_eq!(a.due.unwrap().to_rfc3339(), "2025-10-28T17:00:00+00:00");
    assert_eq!(
        (a.stage, a.status),
        (FunnelStage::Top, ActionStatus::Completed)
    );
    assert_eq!((a.estimated_hours, a.actual_hours), (Some(2.0), Some(2.5)));
    assert_eq!(
        a.completed_at.unwrap().to_rfc3339(),
        "2025-10-28T17:00:00+00:00"
    );
    assert!(a.dependencies.is_empty());
    assert_eq!(a.verification.as_deref(), Some("boot log is clean"));
    assert_eq!(a.evidence.as_deref(), Some("gs://rpm/evidence/boot.log"));
    assert_eq!(a.line, 17);
    let b = &r.actions[1];
    assert_eq!(
        (b.stage, b.status),
        (FunnelStage::Middle, ActionStatus::Blocked)
    );
    assert_eq!(b.blocker.as_deref(), Some("waiting for a clean VM"));
    assert_eq!(b.dependencies, vec!["ARCH-BOOT-001a"]);
}

#[test]
fn plain_labels_read_like_bold_ones() {
    let plain = CANONICAL.replace("**", "");
    assert_eq!(ok(&plain), ok(CANONICAL));
}

#[test]
fn a_week_line_replaces_front_matter() {
    let md = "# Plan\n**Week:** Oct 27 – Nov 2, 2025\n**Owner:** Jesse\n\n## R1: One\nWhy: because\n\n### A-001: Do\n";
    let plan = ok(md);
    assert_eq!(
        (plan.week_start, plan.week_end),
        (ymd(2025, 10, 27), ymd(2025, 11, 2))
    );
    assert_eq!(plan.owner, "Jesse");
    assert_eq!(plan.results[0].purpose, "because");
}

#[test]
fn a_week_across_new_year_takes_the_start_from_the_year_before() {
    let md = "Week: Dec 29 – Jan 4, 2026\n## R1: One\nWhy: because\n### A-001: Do\n";
    let plan = ok(md);
    assert_eq!(
        (plan.week_start, plan.week_end),
        (ymd(2025, 12, 29), ymd(2026, 1, 4))
    );
}

#[test]
fn checkbox_items_are_actions_with_their_done_state() {
    let md = "\
Week: 2025-10-27

## R1: Ship
Purpose: revenue

- [x] SHIP-001: Build it
  - Owner: Jesse
  - Estimate: 1.5
- [ ] SHIP-002: Sell it
  - Stage: bottom
";
    let plan = ok(md);
    let acts = &plan.results[0].actions;
    assert_eq!(acts.len(), 2);
    assert_eq!(
        (acts[0].status, acts[0].owner.as_deref()),
        (ActionStatus::Completed, Some("Jesse"))
    );
    assert_eq!(acts[0].estimated_hours, Some(1.5));
    assert_eq!(
        (acts[1].status, acts[1].stage),
        (ActionStatus::Pending, FunnelStage::Bottom)
    );
    assert_eq!(acts[1].line, 9);
}

#[test]
fn a_table_of_actions_is_read_row_by_row() {
    let md = "\
Week: Nov 3 2025

## R2: Catalog
Purpose: the songs earn

| Code | Action | Owner | Due | Stage | Status | Est | Actual | Depends on |
|------|--------|-------|-----|-------|--------|-----|--------|------------|
| CAT-001 | Tag 20 songs | Suno Agent | Nov 4 | top | done | 2h | 3h | — |
| CAT-002 | Pitch album | Jesse | Nov 6 | bottom | in progress | 1 hour | | CAT-001 |
";
    let plan = ok(md);
    assert_eq!(plan.week_start, ymd(2025, 11, 3));
    let acts = &plan.results[0].actions;
    assert_eq!(acts[0].text, "Tag 20 songs");
    assert_eq!(
        (acts[0].status, acts[0].actual_hours),
        (ActionStatus::Completed, Some(3.0))
    );
    assert_eq!(acts[1].dependencies, vec!["CAT-001"]);
    assert_eq!(
        (acts[1].status, acts[1].actual_hours),
        (ActionStatus::InProgress, None)
    );
    assert_eq!(acts[1].line, 9);
}

#[test]
fn the_hand_off_document_is_read() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/000_a8edfb74998920ec.txt"
    ));
    // The seeds live beside the repository on the build machine only.
    let Ok(text) = text else { return };
    let plan = ok(&text);
    assert_eq!(plan.week_start, ymd(2025, 10, 27));
    let codes: Vec<_> = plan.actions().map(|a| a.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "CLOUD-001a",
            "CLOUD-001b",
            "CLOUD-001c",
            "CLOUD-001d",
            "CLOUD-001e",
            "CLOUD-001f"
        ]
    );
    let e = plan.actions().find(|a| a.code == "CLOUD-001e").unwrap();
    assert_eq!(e.owner.as_deref(), Some("Artifacts Agent"));
    assert_eq!(e.estimated_hours, Some(3.0));
    assert_eq!(e.dependencies, ["CLOUD-001a", "CLOUD-001b", "CLOUD-001c"]);
    let c = plan.actions().find(|a| a.code == "CLOUD-001c").unwrap();
    assert_eq!(c.estimated_hours, Some(0.5));
}

#[test]
fn hand_off_style_sections_become_results() {
    let md = "\
# HANDOFF
## Monday, October 28, 2025

## DAY 1 ACTION ITEMS
### CLOUD-001a: Create cluster
**Owner:** Artifacts Agent
**Duration:** 2 hours
**Dependencies:** None (start immediately)
**Verification:**
- Cluster status: READY
- Connection string captured
";
    let plan = ok(md);
    assert_eq!(
        (plan.week_start, plan.week_end),
        (ymd(2025, 10, 27), ymd(2025, 11, 2))
    );
    let r = &plan.results[0];
    assert_eq!(
        (r.code.as_str(), r.title.as_str()),
        ("R1", "DAY 1 ACTION ITEMS")
    );
    let a = &r.actions[0];
    assert_eq!(
        a.verification.as_deref(),
        Some("Cluster status: READY; Connection string captured")
    );
}

#[test]
fn every_rejection_names_file_line_and_reason() {
    let cases: [(&str, &str); 9] = [
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nDue: Octember 5\n",
            r#"plan.md:5: due date: "Octember 5" is not a date (write 2025-10-27 or Oct 27)"#,
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nStage: sideways\n",
            r#"plan.md:5: unknown funnel stage "sideways" (top, middle or bottom)"#,
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\n\n### A-1: y\n",
            "plan.md:6: action code A-1 is used twice (first on line 4)",
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nEstimate: lots\n",
            r#"plan.md:5: estimated hours: "lots" is not a number of hours (write 2h, 1.5 or 30 minutes)"#,
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nActual: a while\n",
            r#"plan.md:5: actual hours: "a while" is not a number of hours (write 2h, 1.5 or 30 minutes)"#,
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nStatus: maybe\n",
            r#"plan.md:5: unknown status "maybe" (pending, in progress, blocked, completed, deferred or cancelled)"#,
        ),
        (
            "# Plan\n## R1: A\nPurpose: p\n",
            "plan.md:1: no week given: add `week_start: 2025-10-27` front matter or a `**Week:** Oct 27 – Nov 2, 2025` line",
        ),
        (
            "Week: 2025-10-27\n\n## R1: A\n### A-1: x\n",
            "plan.md:3: result R1 has no purpose: add `**Purpose:** why it matters`",
        ),
        (
            "Week: 2025-10-27\n## R1: A\nPurpose: p\n### A-1: x\nStatus: blocked\n",
            "plan.md:4: action A-1 is blocked but names no blocker: add `**Blocker:** reason` (or `Blocker for A-1: reason` after a table)",
        ),
    ];
    for (md, expected) in cases {
        assert_eq!(err(md), expected, "for:\n{md}");
    }
}

#[test]
fn more_rejections_name_their_line() {
    assert_eq!(
        err("Week: 2025-10-27\n## R1: A\nPurpose: p\n\n| Code | Action |\n|--|--|\n| oops | x |\n"),
        r#"plan.md:7: "oops" is not an action code (like CLOUD-001a)"#
    );
    assert_eq!(
        err("Week: 2025-10-27\n## R1: A\nPurpose: p\n## R1: B\nPurpose: q\n"),
        "plan.md:4: result code R1 is used twice (first on line 2)"
    );
    assert_eq!(
        err("Week: 2025-10-27\nStatus: someday\n## R1: A\nPurpose: p\n"),
        r#"plan.md:2: unknown plan status "someday" (active, completed or archived)"#
    );
    assert_eq!(
        err("Week: Oct 27\n## R1: A\nPurpose: p\n"),
        "plan.md:1: the week needs a year (e.g. Oct 27 – Nov 2, 2025)"
    );
    assert_eq!(
        err("Week: 2025-10-27\n\nText only.\n"),
        "plan.md:1: no results found: write `## R1: title` headings with their actions (see docs/plan-format.md)"
    );
}

#[test]
fn results_without_a_stated_status_take_it_from_their_actions() {
    let md = "Week: 2025-10-27\n## R1: A\nPurpose: p\n- [x] A-1: x\n- [x] A-2: y\n## R2: B\nPurpose: q\n- [x] B-1: x\n- [ ] B-2: y\n## R3: C\nPurpose: r\n";
    let plan = ok(md);
    let statuses: Vec<_> = plan.results.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["completed", "in_progress", "not_started"]);
}

#[test]
fn a_repeater_in_a_logseq_date_is_reported() {
    let md = "week-start:: 2021-05-24\n\n- ## R1: Read\n  purpose:: ideas\n\t- LATER [#A] READ-2 big thing\n\t  SCHEDULED: <2021-05-26 Wed 7:00 .+1d>\n";
    let parsed = parse_plan(md).unwrap();
    let a = parsed.plan.actions().next().unwrap();
    assert_eq!(a.scheduled, Some(ymd(2021, 5, 26)));
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.at("plan.md")).collect();
    assert_eq!(
        warnings,
        ["plan.md:6: repeater .+1d: recurrence is not stored; ignored"]
    );
}

#[test]
fn prose_starting_with_a_code_and_wrapped_task_lines_are_not_lost() {
    let md = "week_start: 2025-11-03\n\n## R1: Ship\nPurpose: revenue\n\n- [ ] A-1: Write the migration\n  for the new table\n  Owner: Jesse\n\nB-2 — Fix the boot, written as prose\n";
    let parsed = parse_plan(md).unwrap();
    let a = parsed.plan.actions().next().unwrap();
    assert_eq!(a.text, "Write the migration for the new table");
    assert_eq!(a.owner.as_deref(), Some("Jesse"));
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.at("plan.md")).collect();
    assert_eq!(
        warnings,
        ["plan.md:10: a line starting with action code B-2 is not read as an action: write `### B-2: text` or `- [ ] B-2: text` under a result"]
    );
}

#[test]
fn a_dependencies_column_is_not_taken_for_the_code_column() {
    let md = "week_start: 2025-11-03\n\n## R1: Ship\nPurpose: revenue\n\n| Task | Depends on | No. |\n|---|---|---|\n| Write it | A-0 | A-1 |\n| Test it | A-1 | A-2 |\n";
    let plan = ok(md);
    let codes: Vec<(&str, &[String])> = plan
        .actions()
        .map(|a| (a.code.as_str(), a.dependencies.as_slice()))
        .collect();
    assert_eq!(codes[0].0, "A-1");
    assert_eq!(codes[1].0, "A-2");
    assert_eq!(codes[1].1, ["A-1".to_string()]);
}

#[test]
fn links_keep_their_address() {
    let md = "week_start: 2025-11-03\n\n## R1: Ship\nPurpose: see [the brief](https://example.com/brief)\n\n### A-1: Write it\n**Evidence:** [boot log](gs://rpm/evidence/boot.log)\n\n### A-2: Link as text\n**Evidence:** <https://example.com/x>\n";
    let plan = ok(md);
    assert_eq!(
        plan.results[0].purpose,
        "see the brief (https://example.com/brief)"
    );
    let ev: Vec<_> = plan.actions().map(|a| a.evidence.clone()).collect();
    assert_eq!(
        ev,
        [
            Some("gs://rpm/evidence/boot.log".to_string()),
            Some("https://example.com/x".to_string())
        ]
    );
}

#[test]
fn no_dependency_in_words_and_times_of_day_are_not_warned() {
    let md = "week_start: 2025-11-03\n\n## R1: Ship\nPurpose: revenue\n\n### A-1: Write it\n**Dependencies:** None (start immediately)\n\n## Schedule\n- 10:00 AM - status update\n";
    let parsed = parse_plan(md).unwrap();
    assert_eq!(parsed.warnings, []);
    assert!(parsed
        .plan
        .actions()
        .next()
        .unwrap()
        .dependencies
        .is_empty());
}
