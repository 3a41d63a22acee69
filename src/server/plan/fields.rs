//! The label vocabulary: which written labels mean which field.

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
}

/// Lower-cases a label and drops what varies between writers.
fn norm(label: &str) -> String {
    label
        .trim()
        .trim_end_matches(':')
        .to_ascii_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn plan_field(label: &str) -> Option<PlanField> {
    Some(match norm(label).as_str() {
        "week" | "week of" | "dates" | "plan week" => PlanField::Week,
        "week start" | "week start date" | "start" | "start date" => PlanField::WeekStart,
        "week end" | "week end date" | "end" | "end date" => PlanField::WeekEnd,
        "owner" | "plan owner" => PlanField::Owner,
        "classification" | "tier" => PlanField::Classification,
        "version" | "plan version" => PlanField::Version,
        "status" | "plan status" => PlanField::Status,
        "title" => PlanField::Title,
        _ => return None,
    })
}

pub fn result_field(label: &str) -> Option<ResultField> {
    Some(match norm(label).as_str() {
        "purpose" | "why" | "why it matters" => ResultField::Purpose,
        "priority" => ResultField::Priority,
        "category" => ResultField::Category,
        "revenue" | "revenue target" | "target revenue" => ResultField::Revenue,
        "status" | "result status" => ResultField::Status,
        _ => return None,
    })
}

pub fn action_field(label: &str) -> Option<ActionField> {
    Some(match norm(label).as_str() {
        "code" | "id" | "action code" => ActionField::Code,
        "action" | "task" | "title" | "text" | "description" => ActionField::Text,
        "owner" | "assignee" | "assigned to" | "who" => ActionField::Owner,
        "due" | "due date" | "deadline" | "by" | "when" => ActionField::Due,
        "completed on" | "completion date" | "done on" | "finished" => ActionField::Completed,
        "stage" | "funnel" | "funnel stage" => ActionField::Stage,
        "status" | "state" => ActionField::Status,
        "estimate" | "estimated" | "est" | "est." | "estimated hours" | "duration" | "effort"
        | "hours" => ActionField::Estimate,
        "actual" | "actual hours" | "spent" | "time spent" | "act" => ActionField::Actual,
        "dependencies" | "depends on" | "deps" | "after" | "dependency" => {
            ActionField::Dependencies
        }
        "blocker" | "blocked by" | "blocker reason" | "blocker description" => ActionField::Blocker,
        "verification" | "verify" | "done when" | "verification criteria" => {
            ActionField::Verification
        }
        "evidence" | "evidence path" | "proof" | "evidence link" => ActionField::Evidence,
        _ => return None,
    })
}

/// Splits `Label: value` when the label is short enough to be one.
pub fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let words = label.split_whitespace().count();
    // "https://…" and prose with a colon are not labels.
    (words > 0 && words <= 4 && !label.contains('/') && !value.starts_with("//"))
        .then(|| (label.trim(), value.trim()))
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
        assert_eq!(result_field("Why"), Some(ResultField::Purpose));
        assert_eq!(action_field("Commands"), None);
    }

    #[test]
    fn only_short_prefixes_are_labels() {
        assert_eq!(split_label("Owner: Jesse"), Some(("Owner", "Jesse")));
        assert_eq!(
            split_label("Evidence: https://x.y/z"),
            Some(("Evidence", "https://x.y/z"))
        );
        assert_eq!(split_label("see https://example.com"), None);
        assert_eq!(
            split_label("this is a long sentence that has: a colon"),
            None
        );
    }
}
