//! From a finished walk to a `PlanDoc`: the week resolved, dates given
//! their years, fields named elsewhere applied, and the plan-wide checks
//! (purpose, blocker) made — all of them, not only the first.

use chrono::{Days, NaiveDate, NaiveTime, TimeZone, Utc};

use super::diagnostics::Diags;
use super::draft::{ActionDraft, Dated, Draft};
use super::values::monday_of;
use super::{ActionDoc, PlanDoc};
use crate::model::ActionStatus;

/// The plan (when the week and results could be read) and everything said
/// about it; the plan is refused when any error was found.
pub fn finish(mut d: Draft) -> (Option<PlanDoc>, Diags) {
    apply_named(&mut d);
    let week = week(&mut d);
    let status = match d.status.take() {
        None => "active".to_string(),
        Some((s, _)) if ["active", "completed", "archived"].contains(&s.as_str()) => s,
        Some((s, no)) => {
            d.diags.error(
                no,
                format!("unknown plan status {s:?} (active, completed or archived)"),
            );
            String::new()
        }
    };
    if d.results.is_empty() {
        d.diags.error(
            1,
            "no results found: write `## R1: title` headings with their actions (see docs/plan-format.md)",
        );
    }
    let Some((week_start, week_end)) = week else {
        return (None, d.diags);
    };
    let mut results = Vec::with_capacity(d.results.len());
    let results_drafts = std::mem::take(&mut d.results);
    for r in results_drafts {
        if !r.has_purpose {
            d.diags.error(
                r.doc.line,
                format!(
                    "result {} has no purpose: add `**Purpose:** why it matters`",
                    r.doc.code
                ),
            );
        }
        let mut doc = r.doc;
        for a in r.actions.into_iter().filter(|a| !a.discarded) {
            if let Some(action) = action(a, week_start, &d.ids, &mut d.diags) {
                doc.actions.push(action);
            }
        }
        if !r.status_given {
            doc.status = derived_status(&doc.actions).to_string();
        }
        results.push(doc);
    }
    let plan = PlanDoc {
        week_start,
        week_end,
        owner: d.owner.take().unwrap_or_else(|| "Jesse CEO".to_string()),
        classification: d.classification.take(),
        version: d.version.take(),
        status,
        title: d.title.take(),
        results,
    };
    (Some(plan), d.diags)
}

/// `Blocker for DATA-201: …` given anywhere applies to DATA-201.
fn apply_named(d: &mut Draft) {
    let named = std::mem::take(&mut d.named);
    for n in named {
        let place = d.results.iter().enumerate().find_map(|(ri, r)| {
            r.actions
                .iter()
                .position(|a| a.doc.code == n.code && !a.discarded)
                .map(|ai| (ri, ai))
        });
        let Some((ri, ai)) = place else {
            d.diags.warn(
                n.line,
                format!(
                    "names action {}, which this plan does not have; ignored",
                    n.code
                ),
            );
            continue;
        };
        let a = &mut d.results[ri].actions[ai];
        super::apply::action_value(a, &mut d.ids, &mut d.diags, (n.field, ""), &n.value, n.line);
    }
}

fn week(d: &mut Draft) -> Option<(NaiveDate, NaiveDate)> {
    let from_heading = d.week_start.is_none();
    let Some((start, start_line)) = d.week_start.or(d.week_hint) else {
        d.diags.error(
            1,
            "no week given: add `week_start: 2025-10-27` front matter or a `**Week:** Oct 27 – Nov 2, 2025` line",
        );
        return None;
    };
    // "Dec 29 – Jan 4, 2026": a start without a year in a later month
    // than the end belongs to the end's previous year.
    let year = start.year.or(d.week_end.and_then(|(e, _)| {
        e.year
            .map(|y| if start.month > e.month { y - 1 } else { y })
    }));
    let Some(mut week_start) =
        year.and_then(|y| NaiveDate::from_ymd_opt(y, start.month, start.day))
    else {
        d.diags.error(
            start_line,
            "the week needs a year (e.g. Oct 27 – Nov 2, 2025)",
        );
        return None;
    };
    if from_heading {
        // Only a date in a heading: the Monday–Sunday week holding it.
        week_start = monday_of(week_start);
    }
    let week_end = match d.week_end {
        Some((end, no)) if !from_heading => {
            match end.resolve(week_start).filter(|e| *e >= week_start) {
                Some(e) => e,
                None => {
                    d.diags.error(no, "the week ends before it starts");
                    week_start + Days::new(6)
                }
            }
        }
        _ => week_start + Days::new(6),
    };
    Some((week_start, week_end))
}

fn resolve(date: Dated, week_start: NaiveDate, what: &str, diags: &mut Diags) -> Option<NaiveDate> {
    let (d, no) = date?;
    let resolved = d.resolve(week_start);
    if resolved.is_none() {
        diags.error(no, format!("{what} does not exist"));
    }
    resolved
}

fn action(
    a: ActionDraft,
    week_start: NaiveDate,
    ids: &std::collections::HashMap<String, String>,
    diags: &mut Diags,
) -> Option<ActionDoc> {
    let five_pm = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
    let at_five = |d: NaiveDate| Utc.from_utc_datetime(&d.and_time(five_pm));
    let mut action = a.doc;
    action.due = resolve(a.due, week_start, "due date", diags).map(at_five);
    action.scheduled = resolve(a.scheduled, week_start, "scheduled date", diags);
    action.start = resolve(a.start, week_start, "start date", diags);
    let done = resolve(a.completed, week_start, "completion date", diags);
    match (done, action.status) {
        (Some(d), ActionStatus::Completed) => action.completed_at = Some(at_five(d)),
        (Some(_), status) => {
            let no = a.completed.map_or(action.line, |(_, no)| no);
            diags.warn(
                no,
                format!(
                    "action {} has a completion date but is {}; the date is ignored",
                    action.code,
                    status.label().to_lowercase()
                ),
            );
        }
        (None, _) => {}
    }
    for (id, no) in a.dep_ids {
        match ids.get(&id) {
            Some(code) if !action.dependencies.contains(code) => {
                action.dependencies.push(code.clone());
            }
            Some(_) => {}
            // An id of a task elsewhere (another week, another note).
            None => {
                let _ = no;
                if !action.dependencies.contains(&id) {
                    action.dependencies.push(id);
                }
            }
        }
    }
    if action.actual_hours.is_none() && a.clocked > 0.0 {
        action.actual_hours = Some((a.clocked * 100.0).round() / 100.0);
    }
    if action.status == ActionStatus::Blocked && action.blocker.is_none() {
        let no = a.marked.map_or(action.line, |(_, no)| no);
        diags.error(
            no,
            format!(
                "action {} is blocked but names no blocker: add `**Blocker:** reason` (or `Blocker for {}: reason` after a table)",
                action.code, action.code
            ),
        );
        return None;
    }
    Some(action)
}

/// A result's status from its actions when the plan does not say:
/// cancelled actions do not count.
fn derived_status(actions: &[ActionDoc]) -> &'static str {
    let counted: Vec<&ActionDoc> = actions.iter().filter(|a| a.status.counts()).collect();
    let all = |s| counted.iter().all(|a| a.status == s);
    if counted.is_empty() || all(ActionStatus::Pending) {
        "not_started"
    } else if all(ActionStatus::Completed) {
        "completed"
    } else if counted.iter().any(|a| a.status == ActionStatus::Blocked) {
        "blocked"
    } else {
        "in_progress"
    }
}
