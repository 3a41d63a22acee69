//! The parser on arbitrary input: it may refuse, it must never panic, and
//! what it accepts holds together.

use proptest::prelude::*;

use super::parse_plan;

/// Lines that look like plans, so the fuzzer reaches deep into the parser
/// rather than stopping at "no week given".
fn plan_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_string()),
        Just("week_start: 2025-10-27".to_string()),
        Just("**Week:** Oct 27 – Nov 2, 2025".to_string()),
        "## R[0-9]{1,2}: [A-Za-z ]{0,12}",
        "### [A-Z]{1,5}-[0-9]{1,3}[a-z]?: [a-z ]{0,10}",
        "- \\[[ xX]\\] [A-Z]{2}-[0-9]{2}: [a-z]{0,8}",
        "  - (Owner|Due|Stage|Status|Estimate): [A-Za-z0-9 .:-]{0,10}",
        "\\*\\*(Purpose|Priority|Revenue target|Owner|Due|Stage|Status|Estimate|Actual|Blocker|Dependencies|Completed on):\\*\\* [A-Za-z0-9 ,.$:–-]{0,16}",
        "\\| [A-Za-z0-9 -]{0,8} \\| [A-Za-z0-9 -]{0,8} \\| [a-z0-9 ]{0,6} \\|",
        Just("| Code | Action | Owner | Due | Est |".to_string()),
        Just("|---|---|---|---|---|".to_string()),
        // The conventions of docs/plan-format.md.
        "- \\[[ xX/!>?<*-]\\] (\\*\\*)?[A-Z]{2}-[0-9]{2}(\\*\\*)? (—|–|-|:) [a-z ]{0,8}( \\| (Owner|Due|Funnel|Est|Actual|Depends on|Blocker|Evidence|Done): [A-Za-z0-9 ,.-]{0,10}){0,4}",
        "(Priority|Category|Revenue target|Owner|Week)(::|:) [A-Za-z0-9$ ]{0,8}( · (Priority|Category|Revenue target): [A-Za-z0-9$ ]{0,6}){0,2}",
        "- \\[[ x]\\] #task [A-Z]{2}-[0-9]{2}: [a-z ]{0,8}( (📅|⏳|🛫|✅|❌|➕) 202[45]-[01][0-9]-[0-3][0-9]| (⏫|🔼|🔽|🔺|⏬)| ⛔ [A-Z]{2}-[0-9]{2}| 🆔 [a-z0-9]{4,6}| 🔁 every day){0,4}",
        "- \\[ \\] [A-Z]{2}-[0-9]{2}: [a-z ]{0,6}( [\\[(](owner|due|stage|estimate|dependsOn|priority|id|mood):: [A-Za-z0-9 -]{0,8}[\\])]){0,3}",
        "\t?- (TODO|DOING|NOW|LATER|DONE|WAITING|CANCELLED) (\\[#[ABC]\\] )?[A-Z]{2}-[0-9]{2} [a-z ]{0,8}",
        "\t?  (owner|funnel|estimate|blocker|collapsed):: [A-Za-z0-9 ]{0,8}",
        "\t?  (SCHEDULED|DEADLINE): <202[45]-[01][0-9]-[0-3][0-9]( Mon)?( \\.\\+1d)?>",
        "\t?  CLOCK: \\[2025-11-04 Tue 10:00\\]--\\[2025-11-04 Tue 11:30\\] =>  0[0-9]:[0-5][0-9]",
        "(Blocker for [A-Z]{2}-[0-9]{2}|[A-Z]{2}-[0-9]{2} blocker): [a-z ]{0,10}",
        Just("| Name | ID | Assignee | Status | Due Date | Time Spent |".to_string()),
        "\\| [a-z ]{0,8} \\| [A-Z]{2}-[0-9]{2} \\| [A-Za-z ]{0,8} \\| (Done|Not started|In progress|blocked) \\| (November 11, 2025|Nov 12|) \\| ([0-9]{1,3}m|[0-9] hrs|) \\|",
        "(## RESULT [0-9] \\(R[0-9]\\): |## R[0-9] — |# R[0-9] )[A-Za-z ]{0,10}",
        "[^\\n]{0,30}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse_plan(&text);
    }

    #[test]
    fn plan_like_text_never_panics_and_accepted_plans_are_consistent(
        lines in proptest::collection::vec(plan_line(), 0..40)
    ) {
        let text = lines.join("\n");
        match parse_plan(&text) {
            Ok(parsed) => {
                let plan = parsed.plan;
                prop_assert!(plan.week_start <= plan.week_end);
                prop_assert!(!plan.results.is_empty());
                let mut codes: Vec<_> = plan.actions().map(|a| a.code.clone()).collect();
                let all = codes.len();
                codes.sort();
                codes.dedup();
                prop_assert_eq!(codes.len(), all, "duplicate action codes accepted");
                let lines = text.lines().count().max(1);
                for a in plan.actions() {
                    prop_assert!(a.line >= 1 && a.line <= lines);
                    prop_assert!(!a.text.is_empty() && !a.code.is_empty());
                    if a.status == crate::model::ActionStatus::Blocked {
                        prop_assert!(a.blocker.is_some(), "blocked without a blocker: {a:?}");
                    }
                    if a.completed_at.is_some() {
                        prop_assert_eq!(a.status, crate::model::ActionStatus::Completed);
                    }
                }
                for r in &plan.results {
                    prop_assert!(!r.purpose.is_empty());
                    prop_assert!(r.actions.iter().all(|a| a.result_code == r.code));
                }
                for w in &parsed.warnings {
                    prop_assert!(w.line >= 1 && w.line <= lines, "warning at line {}", w.line);
                }
            }
            Err(refused) => {
                prop_assert!(!refused.errors.is_empty());
                for e in &refused.errors {
                    prop_assert!(e.line >= 1, "line 0 in {e}");
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }
}
