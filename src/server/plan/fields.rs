//! The label vocabulary: which written labels, Dataview keys, column
//! headers and emoji mean which field.

/// A field of the plan header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanField {
    Week,
    WeekStart,
    WeekEnd,
    Owner,
    Classification,
    Version,
    Status,
    Title,
}

/// A field of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultField {
    Purpose,
    Priority,
    Category,
    Revenue,
    Status,
}

/// A field of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionField {
    Code,
    Text,
    Owner,
    Due,
    Completed,
    Stage,
    Status,
    Estimate,
    Actual,
    Dependencies,
    Blocker,
    Verification,
    Evidence,
    Priority,
    Scheduled,
    Start,
    /// Known to the tools people use, not stored here: named in the
    /// warning (created date, cancelled date, recurrence, on completion).
    NotStored(&'static str),
    /// Bookkeeping a tool writes by itself (Logseq's `collapsed::`):
    /// neither used nor warned about.
    Housekeeping,
}

/// Lower-cases a label and drops what varies between writers: case,
/// `_`/`-`, camelCase, a trailing colon, emphasis, a leading emoji.
pub fn norm(label: &str) -> String {
    let mut spaced = String::with_capacity(label.len() + 4);
    let mut prev_lower = false;
    for c in label.trim().chars() {
        if c.is_ascii_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_ascii_lowercase();
        spaced.push(c);
    }
    let text = spaced
        .trim()
        .trim_end_matches(':')
        .trim_matches(['*', '_', '`'])
        .trim_end_matches(':')
        .to_lowercase()
        .replace(['_', '-'], " ");
    // "🎯 Purpose" -> "purpose", but "📅" stays an emoji key.
    let words: Vec<&str> = text.split_whitespace().collect();
    let start = words
        .iter()
        .position(|w| w.chars().any(char::is_alphanumeric))
        .unwrap_or(0);
    words[start..].join(" ")
}

/// `Estimate (h)` -> ("Estimate", Some("h")): a unit in parentheses.
pub fn unit_of(label: &str) -> (&str, Option<&str>) {
    let t = label.trim();
    match t.strip_suffix(')').and_then(|s| s.rsplit_once('(')) {
        Some((name, unit)) if !name.trim().is_empty() && unit.len() <= 8 => {
            (name.trim(), Some(unit.trim()))
        }
        _ => (t, None),
    }
}

pub fn plan_field(label: &str) -> Option<PlanField> {
    Some(match norm(unit_of(label).0).as_str() {
        "week" | "week of" | "dates" | "plan week" | "date" | "iso week" => PlanField::Week,
        "week start" | "week start date" | "start" | "start date" | "week starting" => {
            PlanField::WeekStart
        }
        "week end" | "week end date" | "end" | "end date" | "week ending" => PlanField::WeekEnd,
        "owner" | "plan owner" | "author" => PlanField::Owner,
        "classification" | "tier" => PlanField::Classification,
        "version" | "plan version" => PlanField::Version,
        "status" | "plan status" => PlanField::Status,
        "title" | "plan title" => PlanField::Title,
        _ => return None,
    })
}

pub fn result_field(label: &str) -> Option<ResultField> {
    Some(match norm(unit_of(label).0).as_str() {
        "purpose" | "why" | "why it matters" | "purpose statement" => ResultField::Purpose,
        "priority" | "result priority" => ResultField::Priority,
        "category" | "area" => ResultField::Category,
        "revenue" | "revenue target" | "target revenue" | "revenue goal" => ResultField::Revenue,
        "status" | "result status" => ResultField::Status,
        _ => return None,
    })
}

pub fn action_field(label: &str) -> Option<ActionField> {
    use ActionField::*;
    Some(match norm(unit_of(label).0).as_str() {
        "code" | "id" | "action code" | "action id" | "task id" | "key" | "ref" | "🆔" => Code,
        "action" | "task" | "title" | "text" | "description" | "name" | "task name"
        | "action item" | "item" => Text,
        "owner" | "assignee" | "assignees" | "assigned to" | "assigned" | "who" | "responsible"
        | "person" => Owner,
        "due" | "due date" | "deadline" | "by" | "when" | "due on" | "date due" | "📅" | "📆"
        | "🗓" | "🗓️" => Due,
        "completed on" | "completion date" | "done on" | "finished" | "completed"
        | "completion" | "done" | "completed at" | "done date" | "finished on" | "✅" => Completed,
        "stage" | "funnel" | "funnel stage" => Stage,
        "status" | "state" => Status,
        "estimate" | "estimated" | "est" | "est." | "estimated hours" | "duration" | "effort"
        | "hours" | "time estimate" | "estimated time" | "planned hours" => Estimate,
        "actual" | "actual hours" | "spent" | "time spent" | "act" | "hours spent"
        | "time tracked" | "actual time" | "logged" => Actual,
        "dependencies" | "depends on" | "deps" | "after" | "dependency" | "⛔" | "⛔️" => {
            Dependencies
        }
        "blocker"
        | "blocked by"
        | "blocker reason"
        | "blocker description"
        | "blocked because"
        | "blocked reason"
        | "waiting for"
        | "waiting on" => Blocker,
        "verification"
        | "verify"
        | "done when"
        | "verification criteria"
        | "success criteria"
        | "acceptance criteria"
        | "definition of done" => Verification,
        "evidence" | "evidence path" | "proof" | "evidence link" | "link" | "url" => Evidence,
        "priority" | "prio" => Priority,
        "scheduled" | "scheduled date" | "do date" | "⏳" | "⌛" => Scheduled,
        "start" | "start date" | "starts" | "🛫" => Start,
        "created" | "created on" | "created date" | "created time" | "➕" => {
            NotStored("the created date")
        }
        "cancelled" | "canceled" | "cancelled on" | "canceled on" | "cancelled date" | "❌" => {
            NotStored("the cancelled date")
        }
        "repeat" | "recurrence" | "recurring" | "🔁" => NotStored("recurrence"),
        "on completion" | "🏁" => NotStored("the on-completion action"),
        "collapsed" | "heading" => Housekeeping,
        _ => return None,
    })
}

/// Every label of a vocabulary, for "did you mean" hints.
pub const ACTION_LABELS: &[&str] = &[
    "Owner",
    "Due",
    "Stage",
    "Status",
    "Estimate",
    "Actual",
    "Dependencies",
    "Blocker",
    "Verification",
    "Evidence",
    "Completed on",
    "Priority",
    "Scheduled",
    "Start",
];
pub const RESULT_LABELS: &[&str] = &[
    "Purpose",
    "Priority",
    "Category",
    "Revenue target",
    "Status",
];
pub const PLAN_LABELS: &[&str] = &[
    "Week",
    "Week start",
    "Week end",
    "Owner",
    "Classification",
    "Version",
    "Status",
    "Title",
];

/// The label of `labels` nearest to `written`, when it is a likely typo.
pub fn did_you_mean(written: &str, labels: &[&'static str]) -> Option<&'static str> {
    let w = norm(written);
    if w.len() < 3 {
        return None;
    }
    labels
        .iter()
        .map(|l| (edit_distance(&w, &norm(l)), *l))
        .filter(|(d, l)| *d <= 2 && *d < l.len() / 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, l)| l)
}

/// Edits between two labels, a swap of two neighbours counting as one
/// (optimal string alignment): "Onwer" is one edit from "Owner".
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Splits `Label: value` (or Dataview's `Label:: value`) when the label is
/// short enough to be one; `bold` lines (`**Tables to create (7):**`) are
/// labels whatever their length.
pub fn split_label(line: &str, bold: bool) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let value = value.strip_prefix(':').unwrap_or(value);
    let words = label.split_whitespace().count();
    let max_words = if bold { 10 } else { 4 };
    // "https://…" and prose with a colon are not labels.
    // "10:00 AM - status update" is a time, not a label.
    let time = label.trim().chars().all(|c| c.is_ascii_digit());
    (words > 0
        && !time
        && words <= max_words
        && !label.contains(['/', '[', ']', '<', '>', '|'])
        && !value.starts_with("//"))
    .then(|| (label.trim(), value.trim()))
}

/// Fields whose value may be a list written under an empty label.
pub fn listable(field: ActionField) -> bool {
    matches!(
        field,
        ActionField::Dependencies
            | ActionField::Blocker
            | ActionField::Verification
            | ActionField::Evidence
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_whatever_their_case_or_separator() {
        assert_eq!(plan_field("Week Start"), Some(PlanField::WeekStart));
        assert_eq!(plan_field("week_start"), Some(PlanField::WeekStart));
        assert_eq!(action_field("Due Date"), Some(ActionField::Due));
        assert_eq!(action_field("Duration"), Some(ActionField::Estimate));
        assert_eq!(action_field("Depends on"), Some(ActionField::Dependencies));
        assert_eq!(action_field("dependsOn"), Some(ActionField::Dependencies));
        assert_eq!(action_field("Estimate (h)"), Some(ActionField::Estimate));
        assert_eq!(action_field("📅"), Some(ActionField::Due));
        assert_eq!(result_field("🎯 Purpose"), Some(ResultField::Purpose));
        assert_eq!(result_field("Why"), Some(ResultField::Purpose));
        assert_eq!(action_field("Commands"), None);
    }

    #[test]
    fn only_short_prefixes_are_labels_unless_bold() {
        assert_eq!(split_label("Owner: Jesse", false), Some(("Owner", "Jesse")));
        assert_eq!(split_label("Priority:: 1", false), Some(("Priority", "1")));
        assert_eq!(
            split_label("Evidence: https://x.y/z", false),
            Some(("Evidence", "https://x.y/z"))
        );
        assert_eq!(split_label("see https://example.com", false), None);
        let long = "this is a long sentence that has: a colon";
        assert_eq!(split_label(long, false), None);
        assert_eq!(
            split_label("Tables to Create (7 total):", true),
            Some(("Tables to Create (7 total)", ""))
        );
        assert_eq!(split_label("Tables to Create (7 total):", false), None);
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(did_you_mean("Onwer", ACTION_LABELS), Some("Owner"));
        assert_eq!(did_you_mean("Estimat", ACTION_LABELS), Some("Estimate"));
        assert_eq!(did_you_mean("Commands", ACTION_LABELS), None);
    }

    #[test]
    fn units_in_parentheses_are_split_off() {
        assert_eq!(unit_of("Estimate (h)"), ("Estimate", Some("h")));
        assert_eq!(unit_of("Owner"), ("Owner", None));
    }
}
