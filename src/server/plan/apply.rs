//! Reading one field's value into the plan, result or action it belongs
//! to. A bad value is an error at its line; the walk goes on.

use std::collections::HashMap;

use super::diagnostics::Diags;
use super::draft::{ActionDraft, Draft};
use super::fields::{unit_of, ActionField, PlanField, ResultField};
use super::values::*;
use crate::model::ActionStatus;

/// Values that mean "nothing here".
pub fn blank(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "-" | "—" | "–" | "n/a" | "na" | "tbd" | "none" | "null"
    )
}

/// A Logseq/org repeater in a date (`<2021-05-26 Wed 7:00 .+1d>`): `.+1d`,
/// `++1w`, `+2m`.
fn repeater(value: &str) -> Option<&str> {
    value
        .split_whitespace()
        .map(|w| w.trim_end_matches('>'))
        .find(|w| {
            let body = w.trim_start_matches(['.', '+']);
            w.len() > body.len()
                && w.starts_with(['.', '+'])
                && w.contains('+')
                && body.starts_with(|c: char| c.is_ascii_digit())
                && body.ends_with(['h', 'd', 'w', 'm', 'y'])
        })
}

/// `boot log (gs://rpm/boot.log)`, a markdown link as the parser keeps it:
/// the address, which is what evidence is.
fn link_target(value: &str) -> String {
    match value.strip_suffix(')').and_then(|v| v.rsplit_once(" (")) {
        Some((_, url)) if url.contains("://") || url.contains('/') => url.to_string(),
        _ => value.to_string(),
    }
}

/// A Logseq block id (`id:: 60af74c1-62f8-434a-827c-abc6d2a71734`).
fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// "November 11, 2025 → November 14, 2025": the range's end (for a due
/// date) or its start.
fn range_part(value: &str, end: bool) -> &str {
    match value.split_once('→') {
        Some((a, b)) => {
            if end {
                b.trim()
            } else {
                a.trim()
            }
        }
        None => value,
    }
}

/// `value` when it fits the column it is stored in.
fn fitting(value: &str, max: usize, what: &str, diags: &mut Diags, no: usize) -> Option<String> {
    let v = clean(value);
    if v.chars().count() > max {
        diags.error(no, format!("{what} is longer than {max} characters"));
        return None;
    }
    Some(v)
}

fn date(value: &str) -> Result<WrittenDate, String> {
    parse_date(value.trim().trim_start_matches('@'))
}

impl Draft {
    pub fn plan_field(&mut self, field: PlanField, value: &str, no: usize) {
        if blank(value) {
            return;
        }
        let diags = &mut self.diags;
        let mut own = |max: usize, what: &str| fitting(value, max, what, diags, no);
        let week_date =
            |v: &str| date(v).or_else(|e| parse_week(v).map(|(start, _)| start).map_err(|_| e));
        match field {
            PlanField::Week => match parse_week(value) {
                Ok((start, end)) => {
                    self.week_start = Some((start, no));
                    self.week_end = end.map(|e| (e, no));
                }
                Err(e) => self.diags.error(no, e),
            },
            PlanField::WeekStart => match week_date(value) {
                Ok(d) => self.week_start = Some((d, no)),
                Err(e) => self.diags.error(no, format!("week start: {e}")),
            },
            PlanField::WeekEnd => match date(value) {
                Ok(d) => self.week_end = Some((d, no)),
                Err(e) => self.diags.error(no, format!("week end: {e}")),
            },
            PlanField::Owner => self.owner = own(255, "the plan's owner"),
            PlanField::Classification => self.classification = own(100, "the classification"),
            PlanField::Version => self.version = own(50, "the version"),
            PlanField::Title => self.title = Some(clean(value)),
            PlanField::Status => self.status = Some((value.trim().to_ascii_lowercase(), no)),
        }
    }

    pub fn result_value(&mut self, field: ResultField, value: &str, no: usize) {
        if blank(value) {
            return;
        }
        let r = self.results.last_mut().expect("a result is open");
        match field {
            ResultField::Purpose => {
                r.doc.purpose = clean(value);
                r.has_purpose = true;
            }
            ResultField::Priority => match value
                .trim()
                .trim_start_matches(['P', 'p', '#'])
                .parse::<i32>()
            {
                Ok(p) if (0..=1000).contains(&p) => r.doc.priority = p,
                _ => self
                    .diags
                    .error(no, format!("priority {value:?} is not a whole number")),
            },
            ResultField::Category => {
                r.doc.category = fitting(value, 100, "the category", &mut self.diags, no);
            }
            ResultField::Revenue => match parse_money(value) {
                Ok(v) => r.doc.revenue_target = Some(v),
                Err(e) => self.diags.error(no, format!("revenue target: {e}")),
            },
            ResultField::Status => match parse_status(value) {
                Ok(ActionStatus::Cancelled | ActionStatus::Deferred) => self.diags.error(
                    no,
                    format!(
                        "result status {value:?}: a result is not started, in progress, blocked or completed"
                    ),
                ),
                Ok(status) => {
                    r.doc.status = match status {
                        ActionStatus::Pending => "not_started",
                        other => other.as_str(),
                    }
                    .to_string();
                    r.status_given = true;
                }
                Err(e) => self.diags.error(no, e),
            },
        }
    }

    /// A field of the action being read; `key` is the label as written.
    pub fn action_value(&mut self, field: ActionField, value: &str, no: usize, key: &str) {
        let r = self.results.last_mut().expect("a result is open");
        let a = r.actions.last_mut().expect("an action is open");
        action_value(a, &mut self.ids, &mut self.diags, (field, key), value, no);
    }
}

/// Reads `value` into action `a`; `key` is the label as written (for its
/// unit, and to tell Obsidian Tasks' id lists).
pub fn action_value(
    a: &mut ActionDraft,
    ids: &mut HashMap<String, String>,
    diags: &mut Diags,
    (field, key): (ActionField, &str),
    value: &str,
    no: usize,
) {
    {
        if blank(value) {
            return;
        }
        let hours = |v: &str| -> String {
            match unit_of(key).1 {
                Some(unit) if v.trim().parse::<f64>().is_ok() => format!("{v} {unit}"),
                _ => v.to_string(),
            }
        };
        let append = |slot: &mut Option<String>, v: &str| {
            *slot = Some(match slot.take() {
                Some(old) => format!("{old}; {v}"),
                None => v.to_string(),
            });
        };
        let mut error = None;
        let mut warning = None;
        let explicit_ids = matches!(
            super::fields::norm(key).as_str(),
            "⛔" | "⛔️" | "depends on"
        );
        match field {
            ActionField::Code => {
                let id = clean(value);
                if id == a.doc.code || is_uuid(&id) {
                } else if is_explicit_id(&id) {
                    ids.insert(id, a.doc.code.clone());
                } else {
                    warning = Some(format!("id {id:?} is not an id; ignored"));
                }
            }
            ActionField::Text if a.doc.text.is_empty() => a.doc.text = clean(value),
            ActionField::Text => {
                warning = Some(format!(
                    "{key:?}: action {} already has its text; ignored",
                    a.doc.code
                ));
            }
            ActionField::Owner => {
                a.doc.owner = fitting(
                    value.trim().trim_start_matches('@'),
                    255,
                    "the owner",
                    diags,
                    no,
                );
            }
            ActionField::Due => match date(range_part(value, true)) {
                Ok(d) => a.due = Some((d, no)),
                Err(e) => error = Some(format!("due date: {e}")),
            },
            ActionField::Completed => match parse_bool(value) {
                Some(true) => {
                    a.doc.status = ActionStatus::Completed;
                }
                Some(false) => {}
                None => match date(range_part(value, true)) {
                    Ok(d) => a.completed = Some((d, no)),
                    Err(e) => error = Some(format!("completion date: {e}")),
                },
            },
            ActionField::Stage => match parse_stage(value) {
                Ok(s) => a.doc.stage = s,
                Err(e) => error = Some(e),
            },
            ActionField::Status => match parse_status(value) {
                Ok(s) => {
                    if let Some((marked, _)) = a.marked.filter(|(m, _)| *m != s) {
                        warning = Some(format!(
                            "the task's box says {}, its status says {}: the status is used",
                            marked.label().to_lowercase(),
                            s.label().to_lowercase()
                        ));
                    }
                    a.doc.status = s;
                }
                Err(e) => error = Some(e),
            },
            ActionField::Estimate => match parse_hours(&hours(value)) {
                Ok(h) => a.doc.estimated_hours = Some(h),
                Err(e) => error = Some(format!("estimated hours: {e}")),
            },
            ActionField::Actual => match parse_hours(&hours(value)) {
                Ok(h) => a.doc.actual_hours = Some(h),
                Err(e) => error = Some(format!("actual hours: {e}")),
            },
            ActionField::Dependencies => {
                let codes = parse_dependencies(value);
                let mut found = !codes.is_empty();
                for c in codes {
                    if !a.doc.dependencies.contains(&c) {
                        a.doc.dependencies.push(c);
                    }
                }
                if explicit_ids {
                    for id in value.split(',').map(clean) {
                        if is_explicit_id(&id) && !is_action_code(&id) {
                            a.dep_ids.push((id, no));
                            found = true;
                        }
                    }
                }
                // "None (start immediately)": no dependency, said in words.
                let none = value
                    .trim()
                    .split([' ', '(', ',', '.', ';', '-'])
                    .next()
                    .is_some_and(blank);
                if !found && !none {
                    warning = Some(format!(
                        "dependencies: no action code in {:?}; ignored",
                        value.trim()
                    ));
                }
            }
            ActionField::Blocker => append(&mut a.doc.blocker, value.trim()),
            ActionField::Verification => append(&mut a.doc.verification, value.trim()),
            ActionField::Evidence => append(&mut a.doc.evidence, &link_target(&clean(value))),
            ActionField::Priority => match parse_priority(value) {
                Ok(p) => a.doc.priority = Some(p),
                Err(e) => error = Some(e),
            },
            ActionField::Scheduled => match date(range_part(value, false)) {
                Ok(d) => a.scheduled = Some((d, no)),
                Err(e) => error = Some(format!("scheduled date: {e}")),
            },
            ActionField::Start => match date(range_part(value, false)) {
                Ok(d) => a.start = Some((d, no)),
                Err(e) => error = Some(format!("start date: {e}")),
            },
            ActionField::NotStored(what) => {
                warning = Some(format!(
                    "{} {}: {what} is not stored; ignored",
                    key.trim(),
                    value.trim()
                ));
            }
            ActionField::Housekeeping => {}
        }
        if let (ActionField::Due | ActionField::Scheduled | ActionField::Start, Some(r)) =
            (field, repeater(value))
        {
            warning = Some(format!("repeater {r}: recurrence is not stored; ignored"));
        }
        if let Some(e) = error {
            diags.error(no, e);
        }
        if let Some(w) = warning {
            diags.warn(no, w);
        }
    }
}
