//! From blocks to a `PlanDoc`: headings open results and actions, label
//! lines fill their fields, checkbox items and table rows are actions too.

use std::collections::HashMap;

use chrono::{Days, NaiveTime, TimeZone, Utc};

use super::blocks::{blocks, Block, Line};
use super::fields::{action_field, plan_field, result_field, split_label};
use super::fields::{ActionField, PlanField, ResultField};
use super::values::*;
use super::{ActionDoc, PlanDoc, PlanError, ResultDoc};
use crate::model::{ActionStatus, FunnelStage};

/// Reads one plan; the first problem found is returned with its line.
pub fn parse_plan(source: &str) -> Result<PlanDoc, PlanError> {
    let mut d = Draft::default();
    for block in blocks(source) {
        d.block(block)?;
    }
    d.finish()
}

type Dated = Option<(WrittenDate, usize)>;

#[derive(Default)]
struct Draft {
    week_start: Dated,
    week_end: Dated,
    week_hint: Dated,
    owner: Option<String>,
    classification: Option<String>,
    version: Option<String>,
    status: Option<(String, usize)>,
    title: Option<String>,
    results: Vec<ResultDraft>,
    section: Option<Line>,
    in_result: bool,
    in_action: bool,
    /// A label with an empty value, filled by the list items after it.
    pending: Option<ActionField>,
    codes: HashMap<String, usize>,
}

struct ResultDraft {
    doc: ResultDoc,
    has_purpose: bool,
    status_given: bool,
    actions: Vec<ActionDraft>,
}

struct ActionDraft {
    doc: ActionDoc,
    due: Dated,
    completed: Dated,
    status_given: bool,
}

fn blank(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "-" | "—" | "–" | "n/a" | "na" | "tbd" | "none"
    )
}

impl Draft {
    fn block(&mut self, block: Block) -> Result<(), PlanError> {
        match block {
            Block::FrontMatter(lines) => {
                for line in lines {
                    if let Some((key, value)) = line.text.split_once(':') {
                        let value = value.trim().trim_matches(['"', '\'']);
                        if let Some(field) = plan_field(key) {
                            self.plan_field(field, value, line.no)?;
                        }
                    }
                }
            }
            Block::Heading { level, line } => self.heading(level, line)?,
            Block::Text {
                lines,
                in_list,
                checked,
            } => {
                if !in_list {
                    self.pending = None;
                }
                let mut lines = lines.into_iter();
                if let Some(done) = checked {
                    let first = lines.next().expect("items have text");
                    match split_code(&first.text, is_action_code) {
                        Some((code, text)) if self.in_result || self.section.is_some() => {
                            self.new_action(code, text, first.no)?;
                            let a = self.action();
                            a.doc.status = if done {
                                ActionStatus::Completed
                            } else {
                                ActionStatus::Pending
                            };
                        }
                        // A checklist that is not an action list (criteria, notes).
                        _ => return Ok(()),
                    }
                }
                for line in lines {
                    self.text_line(&line, in_list)?;
                }
            }
            Block::Table { header, rows } => self.table(&header, rows)?,
        }
        Ok(())
    }

    fn heading(&mut self, level: u8, line: Line) -> Result<(), PlanError> {
        self.pending = None;
        if let Some((code, title)) = split_code(&line.text, is_result_code) {
            return self.new_result(code, title, line.no, true);
        }
        if let Some((code, title)) = split_code(&line.text, is_action_code) {
            return self.new_action(code, title, line.no);
        }
        if self.week_hint.is_none() && level <= 2 {
            self.week_hint = week_in(&line.text).map(|w| (w, line.no));
        }
        if level == 1 && self.title.is_none() {
            self.title = Some(line.text.clone());
        }
        if level <= 2 {
            self.section = Some(line);
            self.in_result = false;
        }
        if level <= 3 {
            self.in_action = false;
        }
        Ok(())
    }

    fn new_result(
        &mut self,
        code: String,
        title: String,
        no: usize,
        given: bool,
    ) -> Result<(), PlanError> {
        if let Some(first) = self.results.iter().find(|r| r.doc.code == code) {
            return Err(PlanError::new(
                no,
                format!(
                    "result code {code} is used twice (first on line {})",
                    first.doc.line
                ),
            ));
        }
        let priority = self.results.len() as i32 + 1;
        self.results.push(ResultDraft {
            doc: ResultDoc {
                purpose: if given { String::new() } else { title.clone() },
                code,
                title,
                priority,
                category: None,
                revenue_target: None,
                status: String::new(),
                line: no,
                actions: Vec::new(),
            },
            has_purpose: !given,
            status_given: false,
            actions: Vec::new(),
        });
        self.in_result = true;
        self.in_action = false;
        Ok(())
    }

    fn new_action(&mut self, code: String, text: String, no: usize) -> Result<(), PlanError> {
        if let Some(first) = self.codes.get(&code) {
            return Err(PlanError::new(
                no,
                format!("action code {code} is used twice (first on line {first})"),
            ));
        }
        self.codes.insert(code.clone(), no);
        if !self.in_result {
            // Hand-off style: actions under a plain section heading. The
            // section becomes a result whose purpose is its own title.
            let n = self.results.len() + 1;
            let (title, line) = match &self.section {
                Some(s) => (s.text.clone(), s.no),
                None => ("Actions".to_string(), no),
            };
            self.new_result(format!("R{n}"), title, line, false)?;
        }
        let result = self.results.last_mut().expect("a result is open");
        result.actions.push(ActionDraft {
            doc: ActionDoc {
                code,
                result_code: result.doc.code.clone(),
                text,
                owner: None,
                due: None,
                stage: FunnelStage::Top,
                status: ActionStatus::Pending,
                estimated_hours: None,
                actual_hours: None,
                dependencies: Vec::new(),
                blocker: None,
                verification: None,
                evidence: None,
                completed_at: None,
                line: no,
            },
            due: None,
            completed: None,
            status_given: false,
        });
        self.in_action = true;
        Ok(())
    }

    fn action(&mut self) -> &mut ActionDraft {
        let r = self.results.last_mut().expect("a result is open");
        r.actions.last_mut().expect("an action is open")
    }

    fn text_line(&mut self, line: &Line, in_list: bool) -> Result<(), PlanError> {
        let label = split_label(&line.text);
        if self.in_action {
            if let Some((field, value)) = label.and_then(|(l, v)| Some((action_field(l)?, v))) {
                return self.action_field(field, value, line.no);
            }
            // Items under an empty `**Verification:**` are its value.
            if let (Some(field), true) = (self.pending, in_list) {
                return self.action_field(field, &line.text, line.no);
            }
        }
        let Some((label, value)) = label else {
            return Ok(());
        };
        if self.in_result {
            if let Some(field) = result_field(label) {
                return self.result_field(field, value, line.no);
            }
        } else if self.results.is_empty() {
            // The header: plan fields are read before the first result only.
            if let Some(field) = plan_field(label) {
                return self.plan_field(field, value, line.no);
            }
        }
        Ok(())
    }

    fn plan_field(&mut self, field: PlanField, value: &str, no: usize) -> Result<(), PlanError> {
        if blank(value) {
            return Ok(());
        }
        let at = |r: String| PlanError::new(no, r);
        let own = Some(value.to_string());
        match field {
            PlanField::Week => {
                let (start, end) = parse_week(value).map_err(at)?;
                self.week_start = Some((start, no));
                self.week_end = end.map(|e| (e, no));
            }
            PlanField::WeekStart => self.week_start = Some((parse_date(value).map_err(at)?, no)),
            PlanField::WeekEnd => self.week_end = Some((parse_date(value).map_err(at)?, no)),
            PlanField::Owner => self.owner = own,
            PlanField::Classification => self.classification = own,
            PlanField::Version => self.version = own,
            PlanField::Title => self.title = own,
            PlanField::Status => self.status = Some((value.to_ascii_lowercase(), no)),
        }
        Ok(())
    }

    fn result_field(
        &mut self,
        field: ResultField,
        value: &str,
        no: usize,
    ) -> Result<(), PlanError> {
        if blank(value) {
            return Ok(());
        }
        let r = self.results.last_mut().expect("a result is open");
        match field {
            ResultField::Purpose => {
                r.doc.purpose = value.to_string();
                r.has_purpose = true;
            }
            ResultField::Priority => {
                r.doc.priority =
                    value
                        .trim_start_matches(['P', 'p', '#'])
                        .parse()
                        .map_err(|_| {
                            PlanError::new(no, format!("priority {value:?} is not a whole number"))
                        })?
            }
            ResultField::Category => r.doc.category = Some(value.to_string()),
            ResultField::Revenue => {
                r.doc.revenue_target = Some(
                    parse_money(value)
                        .map_err(|e| PlanError::new(no, format!("revenue target: {e}")))?,
                )
            }
            ResultField::Status => {
                let status = parse_status(value).map_err(|e| PlanError::new(no, e))?;
                r.doc.status = match status {
                    ActionStatus::Pending => "not_started",
                    other => other.as_str(),
                }
                .to_string();
                r.status_given = true;
            }
        }
        Ok(())
    }

    fn action_field(
        &mut self,
        field: ActionField,
        value: &str,
        no: usize,
    ) -> Result<(), PlanError> {
        let listable = matches!(
            field,
            ActionField::Dependencies
                | ActionField::Blocker
                | ActionField::Verification
                | ActionField::Evidence
        );
        if value.trim().is_empty() && listable {
            self.pending = Some(field);
            return Ok(());
        }
        if blank(value) {
            return Ok(());
        }
        let at = |what: &str, r: String| PlanError::new(no, format!("{what}: {r}"));
        let a = self.action();
        let append = |slot: &mut Option<String>| {
            *slot = Some(match slot.take() {
                Some(old) => format!("{old}; {value}"),
                None => value.to_string(),
            })
        };
        match field {
            ActionField::Code | ActionField::Text => {}
            ActionField::Owner => a.doc.owner = Some(value.to_string()),
            ActionField::Due => {
                a.due = Some((parse_date(value).map_err(|r| at("due date", r))?, no))
            }
            ActionField::Completed => {
                a.completed = Some((parse_date(value).map_err(|r| at("completion date", r))?, no))
            }
            ActionField::Stage => {
                a.doc.stage = parse_stage(value).map_err(|r| PlanError::new(no, r))?
            }
            ActionField::Status => {
                a.doc.status = parse_status(value).map_err(|r| PlanError::new(no, r))?;
                a.status_given = true;
            }
            ActionField::Estimate => {
                a.doc.estimated_hours =
                    Some(parse_hours(value).map_err(|r| at("estimated hours", r))?)
            }
            ActionField::Actual => {
                a.doc.actual_hours = Some(parse_hours(value).map_err(|r| at("actual hours", r))?)
            }
            ActionField::Dependencies => a.doc.dependencies.extend(parse_dependencies(value)),
            ActionField::Blocker => append(&mut a.doc.blocker),
            ActionField::Verification => append(&mut a.doc.verification),
            ActionField::Evidence => append(&mut a.doc.evidence),
        }
        Ok(())
    }

    fn table(
        &mut self,
        header: &[String],
        rows: Vec<(usize, Vec<String>)>,
    ) -> Result<(), PlanError> {
        let columns: Vec<Option<ActionField>> = header.iter().map(|h| action_field(h)).collect();
        let col = |f: ActionField| columns.iter().position(|c| *c == Some(f));
        let (Some(code_col), Some(text_col)) = (col(ActionField::Code), col(ActionField::Text))
        else {
            return Ok(()); // not an action table
        };
        for (no, cells) in rows {
            let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("").trim();
            let code = cell(code_col);
            if !is_action_code(code) {
                return Err(PlanError::new(
                    no,
                    format!("{code:?} is not an action code (like CLOUD-001a)"),
                ));
            }
            let text = cell(text_col);
            if text.is_empty() {
                return Err(PlanError::new(no, format!("action {code} has no text")));
            }
            self.new_action(code.to_string(), text.to_string(), no)?;
            for (i, field) in columns.iter().enumerate() {
                if let Some(field) = field {
                    if !matches!(field, ActionField::Code | ActionField::Text) {
                        self.action_field(*field, cell(i), no)?;
                    }
                }
            }
            self.pending = None;
        }
        self.in_action = false;
        Ok(())
    }

    fn finish(self) -> Result<PlanDoc, PlanError> {
        let from_heading = self.week_start.is_none();
        let (start, start_line) = self.week_start.or(self.week_hint).ok_or_else(|| {
            PlanError::new(
                1,
                "no week given: add `week_start: 2025-10-27` front matter or a `**Week:** Oct 27 – Nov 2, 2025` line",
            )
        })?;
        // "Dec 29 – Jan 4, 2026": a start without a year in a later month
        // than the end belongs to the end's previous year.
        let year = start.year.or(self.week_end.and_then(|(e, _)| {
            e.year
                .map(|y| if start.month > e.month { y - 1 } else { y })
        }));
        let mut week_start = year
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, start.month, start.day))
            .ok_or_else(|| {
                PlanError::new(
                    start_line,
                    "the week needs a year (e.g. Oct 27 – Nov 2, 2025)",
                )
            })?;
        if from_heading {
            // Only a date in a heading: the Monday–Sunday week holding it.
            week_start = monday_of(week_start);
        }
        let week_end = match self.week_end {
            Some((end, no)) if !from_heading => end
                .resolve(week_start)
                .filter(|e| *e >= week_start)
                .ok_or_else(|| PlanError::new(no, "the week ends before it starts"))?,
            _ => week_start + Days::new(6),
        };
        let status = match self.status {
            None => "active".to_string(),
            Some((s, _)) if ["active", "completed", "archived"].contains(&s.as_str()) => s,
            Some((s, no)) => {
                return Err(PlanError::new(
                    no,
                    format!("unknown plan status {s:?} (active, completed or archived)"),
                ))
            }
        };
        if self.results.is_empty() {
            return Err(PlanError::new(
                1,
                "no results found: write `## R1: title` headings with their actions (see docs/plan-format.md)",
            ));
        }
        let five_pm = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
        let mut results = Vec::with_capacity(self.results.len());
        for r in self.results {
            if !r.has_purpose {
                return Err(PlanError::new(
                    r.doc.line,
                    format!(
                        "result {} has no purpose: add `**Purpose:** why it matters`",
                        r.doc.code
                    ),
                ));
            }
            let mut doc = r.doc;
            for a in r.actions {
                let mut action = a.doc;
                if let Some((due, no)) = a.due {
                    let date = due
                        .resolve(week_start)
                        .ok_or_else(|| PlanError::new(no, "due date does not exist"))?;
                    action.due = Some(Utc.from_utc_datetime(&date.and_time(five_pm)));
                }
                if let Some((done, no)) = a.completed {
                    let date = done
                        .resolve(week_start)
                        .ok_or_else(|| PlanError::new(no, "completion date does not exist"))?;
                    action.completed_at = Some(Utc.from_utc_datetime(&date.and_time(five_pm)));
                }
                if action.status == ActionStatus::Blocked && action.blocker.is_none() {
                    return Err(PlanError::new(
                        action.line,
                        format!(
                            "action {} is blocked but names no blocker: add `**Blocker:** reason`",
                            action.code
                        ),
                    ));
                }
                doc.actions.push(action);
            }
            if !r.status_given {
                doc.status = derived_status(&doc.actions).to_string();
            }
            results.push(doc);
        }
        Ok(PlanDoc {
            week_start,
            week_end,
            owner: self.owner.unwrap_or_else(|| "Jesse CEO".to_string()),
            classification: self.classification,
            version: self.version,
            status,
            title: self.title,
            results,
        })
    }
}

/// A result's status from its actions when the plan does not say.
fn derived_status(actions: &[ActionDoc]) -> &'static str {
    let all = |s| actions.iter().all(|a| a.status == s);
    if actions.is_empty() || all(ActionStatus::Pending) {
        "not_started"
    } else if all(ActionStatus::Completed) {
        "completed"
    } else if actions.iter().any(|a| a.status == ActionStatus::Blocked) {
        "blocked"
    } else {
        "in_progress"
    }
}

/// A date in a heading ("Monday, October 28, 2025", "Week of Oct 27 – Nov 2, 2025").
fn week_in(text: &str) -> Option<WrittenDate> {
    let candidates = [
        Some(text),
        text.rsplit_once(':').map(|(_, t)| t),
        text.split_once("Week of").map(|(_, t)| t),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|t| parse_week(t.trim()).ok())
        .map(|(start, end)| WrittenDate {
            year: start.year.or(end.and_then(|e| e.year)),
            ..start
        })
        .filter(|d| d.year.is_some())
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "fuzz_tests.rs"]
mod fuzz_tests;
