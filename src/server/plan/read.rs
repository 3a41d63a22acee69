//! The walk over a plan's blocks: headings open results and actions;
//! task-list items and table rows are actions too; label lines, Dataview
//! fields and the fields on an action's own line fill them. Everything
//! read but not used becomes a warning; every bad value an error, and the
//! walk goes on so that all of them are reported.

use super::blocks::{Block, Line};
use super::draft::{ActionDraft, Draft, Named, Pending, ResultDraft};
use super::fields::{
    action_field, listable, norm, plan_field, result_field, split_label, ActionField,
};
use super::inline::{
    split_code, split_result, split_runs, take_bracket_fields, take_emoji_fields, take_marker,
    take_priority_tag, Field, Marker,
};
use super::values::{is_action_code, is_explicit_id, week_in};
use super::{ActionDoc, ResultDoc};
use crate::model::{ActionStatus, FunnelStage};

/// A task line taken apart.
struct Task {
    marker: Option<Marker>,
    code: Option<String>,
    text: String,
    fields: Vec<Field>,
}

fn task(text: &str, checked: Option<bool>) -> Task {
    let (marker, rest) = match checked {
        Some(done) => (Some(Marker::Box(if done { 'x' } else { ' ' })), text),
        None => take_marker(text),
    };
    let (marker, rest) = match (marker, rest.strip_prefix("✅ ")) {
        (None, Some(r)) => (Some(Marker::Box('x')), r),
        (m, _) => (m, rest),
    };
    let (priority, rest) = take_priority_tag(rest);
    let mut fields = Vec::new();
    if let Some(p) = priority {
        fields.push(Field {
            key: "priority".into(),
            value: p.to_string(),
        });
    }
    let rest = take_bracket_fields(rest, &mut fields);
    let (head, runs) = split_runs(&rest);
    let mut emoji = Vec::new();
    let head = take_emoji_fields(&head, &mut emoji);
    fields.splice(0..0, emoji);
    fields.extend(runs);
    // Tags before the code stay in the text, after it; `#task`, the global
    // filter Obsidian Tasks' documentation uses to mark task lines, says
    // only that the line is a task, which it already is.
    let mut words: Vec<&str> = head.split(' ').collect();
    let tags = words
        .iter()
        .take_while(|w| w.starts_with('#') && w.chars().nth(1).is_some_and(char::is_alphabetic))
        .count();
    let tags: Vec<&str> = words.drain(..tags).collect();
    let head = words.join(" ");
    let (code, mut text) = match split_code(&head) {
        Some((code, text)) => (Some(code), text),
        None => (None, head),
    };
    for tag in tags
        .into_iter()
        .filter(|t| !t.eq_ignore_ascii_case("#task"))
    {
        text = if text.is_empty() {
            tag.to_string()
        } else {
            format!("{text} {tag}")
        };
    }
    Task {
        marker,
        code,
        text,
        fields,
    }
}

/// The status a task marker stands for; unknown boxes read as pending.
fn marker_status(m: Marker) -> Result<ActionStatus, char> {
    Ok(match m {
        Marker::Box(' ') => ActionStatus::Pending,
        Marker::Box('x' | 'X') => ActionStatus::Completed,
        Marker::Box('/') => ActionStatus::InProgress,
        Marker::Box('!') => ActionStatus::Blocked,
        Marker::Box('-') => ActionStatus::Cancelled,
        Marker::Box('>') => ActionStatus::Deferred,
        Marker::Box(c) => return Err(c),
        Marker::Keyword("TODO" | "LATER") => ActionStatus::Pending,
        Marker::Keyword("DOING" | "NOW" | "IN-PROGRESS") => ActionStatus::InProgress,
        Marker::Keyword("DONE") => ActionStatus::Completed,
        Marker::Keyword("WAITING" | "WAIT") => ActionStatus::Blocked,
        Marker::Keyword(_) => ActionStatus::Cancelled,
    })
}

impl Draft {
    pub fn block(&mut self, block: Block) {
        match block {
            Block::FrontMatter(lines) => self.front_matter(lines),
            Block::Heading { level, line } => self.heading(level, line),
            Block::Text {
                lines,
                in_list,
                checked,
            } => {
                if !in_list {
                    self.end_pending();
                }
                let mut lines = lines.into_iter();
                let Some(first) = lines.next() else { return };
                // A paragraph that starts with a task marker (Logseq's
                // `TODO CODE text` outside a bullet) is a task too.
                let task_like = in_list || take_marker(&first.text).0.is_some();
                // Plain lines right after a task line continue its text
                // (a long task wrapped onto the next line).
                let mut continuing = false;
                if task_like && self.list_item(&first, checked) {
                    continuing = in_list
                        && self.in_action
                        && self
                            .results
                            .last()
                            .and_then(|r| r.actions.last())
                            .map(|a| a.doc.line)
                            == Some(first.no);
                } else {
                    self.field_line(&first, in_list);
                }
                for line in lines {
                    if continuing && is_plain(&line) {
                        let a = self.action();
                        a.doc.text = format!("{} {}", a.doc.text, line.text.trim());
                        continue;
                    }
                    continuing = false;
                    self.field_line(&line, in_list);
                }
            }
            Block::Table { line, header, rows } => {
                self.end_pending();
                for row in super::table::rows(&mut self.diags, line, &header, rows) {
                    self.new_action(row.code, row.text, row.line);
                    for (field, value, column) in row.fields {
                        self.action_value(field, &value, row.line, &column);
                    }
                    self.pending = None;
                }
                self.in_action = false;
            }
        }
    }

    fn front_matter(&mut self, lines: Vec<Line>) {
        for line in lines {
            // Continuation lines (YAML lists, folded text) belong to the key above.
            if line.text.starts_with([' ', '\t', '-']) || line.text.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = line.text.split_once(':') else {
                self.diags
                    .warn(line.no, "front matter line is not `key: value`; ignored");
                continue;
            };
            let value = value.trim().trim_matches(['"', '\'']);
            match plan_field(key) {
                Some(field) => self.plan_field(field, value, line.no),
                None => self.diags.warn(
                    line.no,
                    format!(
                        "front matter key {:?} is not a plan field; ignored",
                        key.trim()
                    ),
                ),
            }
        }
    }

    fn heading(&mut self, level: u8, line: Line) {
        self.end_pending();
        if level <= 2 {
            self.flush_stray();
        }
        let mut fields = Vec::new();
        let text = take_bracket_fields(&line.text, &mut fields);
        if let Some((code, title)) = split_result(&text) {
            self.new_result(code, title, line.no, true);
            for f in fields {
                self.field(f, line.no);
            }
            return;
        }
        let t = task(&text, None);
        if let Some(code) = t.code.clone() {
            fields.extend(t.fields.iter().cloned());
            self.new_task(code, t, line.no);
            for f in fields {
                self.field(f, line.no);
            }
            return;
        }
        if self.week_hint.is_none() && level <= 2 {
            self.week_hint = week_in(&line.text).map(|w| (w, line.no));
        }
        if level == 1 && self.title.is_none() {
            self.title = Some(line.text.clone());
        }
        if level <= 2 {
            self.section = Some(line.clone());
            self.in_result = false;
        }
        if level <= 3 {
            self.in_action = false;
        }
        for f in fields {
            self.field(f, line.no);
        }
    }

    pub fn new_result(&mut self, code: String, title: String, no: usize, given: bool) {
        if let Some(first) = self.results.iter().find(|r| r.doc.code == code) {
            let first = first.doc.line;
            self.diags.error(
                no,
                format!("result code {code} is used twice (first on line {first})"),
            );
        }
        if given && title.is_empty() {
            self.diags.error(no, format!("result {code} has no title"));
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
    }

    /// Opens an action from a task line and applies its marker.
    fn new_task(&mut self, code: String, t: Task, no: usize) {
        self.new_action(code, t.text, no);
        if let Some(m) = t.marker {
            let status = marker_status(m).unwrap_or_else(|c| {
                self.diags.warn(
                    no,
                    format!("unknown checkbox state [{c}]; read as pending ([ ] [x] [/] [!] [-] [>] are known)"),
                );
                ActionStatus::Pending
            });
            let a = self.action();
            a.doc.status = status;
            a.marked = Some((status, no));
        }
    }

    pub fn new_action(&mut self, code: String, text: String, no: usize) {
        let mut discarded = false;
        if let Some(first) = self.codes.get(&code) {
            self.diags.error(
                no,
                format!("action code {code} is used twice (first on line {first})"),
            );
            discarded = true;
        } else {
            self.codes.insert(code.clone(), no);
        }
        if text.is_empty() {
            self.diags.error(
                no,
                format!("action {code} has no text: write `{code}: what is to be done`"),
            );
        }
        if !self.in_result {
            // Hand-off style: actions under a plain section heading. The
            // section becomes a result whose purpose is its own title.
            let n = self.results.len() + 1;
            let (title, line) = match &self.section {
                Some(s) => (s.text.clone(), s.no),
                None => ("Actions".to_string(), no),
            };
            self.new_result(format!("R{n}"), title, line, false);
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
                priority: None,
                scheduled: None,
                start: None,
                line: no,
            },
            due: None,
            completed: None,
            scheduled: None,
            start: None,
            marked: None,
            dep_ids: Vec::new(),
            clocked: 0.0,
            discarded,
        });
        self.in_action = true;
    }

    /// The first line of a list item: an action, a value of the label
    /// above, or a task we cannot use. False when it is none of these.
    fn list_item(&mut self, first: &Line, checked: Option<bool>) -> bool {
        let mut t = task(&first.text, checked);
        let listing = matches!(self.pending, Some(Pending::Field(_)));
        if t.code.is_none() && t.marker.is_some() {
            // An id given as a field names the task: `- [ ] Write 🆔 w-1`.
            let id_at = t
                .fields
                .iter()
                .position(|f| action_field(&f.key) == Some(ActionField::Code));
            if let Some(i) = id_at {
                let id = super::values::clean(&t.fields[i].value);
                if is_explicit_id(&id) {
                    t.fields.remove(i);
                    t.code = Some(id);
                }
            }
        }
        let is_action = match (&t.code, t.marker) {
            (Some(_), Some(_)) => true,
            // `- CODE: text` inside a result, unless it lists a label's values.
            (Some(_), None) => (self.in_result || self.in_action) && !listing,
            _ => false,
        };
        if !is_action {
            if self.take_pending_item(first) {
                return true;
            }
            if t.marker.is_none() {
                return false;
            }
            // Notion exports empty to-dos (`- [ ]  `): nothing is lost.
            if !t.text.is_empty() || !t.fields.is_empty() {
                self.diags.warn(
                    first.no,
                    "task without an action code; ignored (write `- [ ] CODE-1: text`)",
                );
            }
            return true;
        }
        self.end_pending();
        let code = t.code.take().expect("an action has a code");
        let fields = std::mem::take(&mut t.fields);
        self.new_task(code, t, first.no);
        for f in fields {
            self.field(f, first.no);
        }
        true
    }

    /// A list item under an empty label: its value, or swallowed with an
    /// unknown label. True when taken.
    fn take_pending_item(&mut self, line: &Line) -> bool {
        match &mut self.pending {
            Some(Pending::Field(field)) => {
                let field = *field;
                self.action_value(field, &line.text, line.no, "");
                true
            }
            Some(Pending::Unknown { items, .. }) => {
                *items += 1;
                true
            }
            None => false,
        }
    }

    /// Ends a label's list; an unknown label's warning is given now, with
    /// the number of items it swallowed.
    pub fn end_pending(&mut self) {
        if let Some(Pending::Unknown {
            line,
            message,
            items,
        }) = self.pending.take()
        {
            let message = match items {
                0 => message,
                1 => format!("{message} (with the item listed under it)"),
                n => format!("{message} (with the {n} items listed under it)"),
            };
            self.diags.warn(line, message);
        }
    }

    /// A line that is not an action: labels and fields, or prose.
    fn field_line(&mut self, line: &Line, in_list: bool) {
        let mut fields = Vec::new();
        let text = take_bracket_fields(&line.text, &mut fields);
        // Logseq: "SCHEDULED: <…> DEADLINE: <…>" on one line.
        let text = text.replacen(" DEADLINE:", " | DEADLINE:", 1);
        let (head, runs) = split_runs(&text);
        let label = split_label(&head, line.bold);
        match label {
            Some((key, value)) => fields.insert(
                0,
                Field {
                    key: key.to_string(),
                    value: value.to_string(),
                },
            ),
            None if in_list && fields.is_empty() && runs.is_empty() => {
                if !self.take_pending_item(line) {
                    self.code_line(&head, line.no);
                }
                return;
            }
            None if fields.is_empty() && runs.is_empty() => return self.code_line(&head, line.no),
            None => {}
        }
        fields.extend(runs);
        let whole = label.is_some() && fields.len() == 1;
        for (i, f) in fields.into_iter().enumerate() {
            // "- Cluster status: READY" under an empty Verification label.
            if i == 0 && whole && in_list && matches!(self.pending, Some(Pending::Field(_))) {
                let known = self.in_action && action_field(&f.key).is_some();
                if !known && self.take_pending_item(line) {
                    return;
                }
            }
            if !in_list || i > 0 || !whole {
                self.end_pending_if_label();
            }
            self.field(f, line.no);
        }
    }

    /// A line of prose that starts with an action code (`ARCH-001 — Fix
    /// boot` as a paragraph, `- DATA-1 Write it` outside any result): plan
    /// data that is not read, so it is said.
    fn code_line(&mut self, head: &str, no: usize) {
        if let Some((code, _)) = split_code(head) {
            self.diags.warn(
                no,
                format!(
                    "a line starting with action code {code} is not read as an action: write `### {code}: text` or `- [ ] {code}: text` under a result"
                ),
            );
        }
    }

    fn end_pending_if_label(&mut self) {
        if matches!(self.pending, Some(Pending::Unknown { .. })) {
            self.end_pending();
        }
    }

    /// One field, wherever it stands.
    pub fn field(&mut self, f: Field, no: usize) {
        let Field { key, value } = f;
        if let Some((code, field)) = named_field(&key) {
            self.named.push(Named {
                code,
                field,
                value,
                line: no,
            });
            return;
        }
        if self.in_action && norm(&key) == "clock" {
            // Logseq: `CLOCK: [2021-09-01 Wed 15:16]--[… 15:17] =>  00:01`.
            if let Some(h) = clocked_hours(&value) {
                self.action().clocked += h;
            }
            return;
        }
        if self.in_action {
            if let Some(field) = action_field(&key) {
                self.end_pending();
                if value.trim().is_empty() && listable(field) {
                    self.pending = Some(Pending::Field(field));
                    return;
                }
                self.action_value(field, &value, no, &key);
                return;
            }
            if let Some(field) = result_field(&key) {
                self.result_value(field, &value, no);
                return;
            }
            return self.unknown(&key, &value, no, "an action", super::fields::ACTION_LABELS);
        }
        if self.in_result {
            if let Some(field) = result_field(&key) {
                return self.result_value(field, &value, no);
            }
            if action_field(&key).is_some() {
                return self.diags.warn(
                    no,
                    format!(
                        "{:?} is a field of an action, and this line stands under result {} before any action; ignored",
                        key.trim(),
                        self.results.last().map_or("", |r| r.doc.code.as_str())
                    ),
                );
            }
            return self.unknown(&key, &value, no, "a result", super::fields::RESULT_LABELS);
        }
        if self.results.is_empty() {
            if let Some(field) = plan_field(&key) {
                return self.plan_field(field, &value, no);
            }
            return self.unknown(
                &key,
                &value,
                no,
                "the plan header",
                super::fields::PLAN_LABELS,
            );
        }
        // After the results, in a section that is none of them.
        let section = self
            .section
            .as_ref()
            .map_or(String::new(), |s| s.text.clone());
        match &mut self.stray {
            Some((_, _, labels)) => labels.push(key.trim().to_string()),
            None => self.stray = Some((no, section, vec![key.trim().to_string()])),
        }
    }

    fn unknown(&mut self, key: &str, value: &str, no: usize, of: &str, labels: &[&'static str]) {
        let key = key.trim();
        if is_action_code(key) {
            return self.diags.warn(
                no,
                format!(
                    "a line starting with action code {key} is not read as an action: write `### {key}: text` or `- [ ] {key}: text`"
                ),
            );
        }
        let hint = super::fields::did_you_mean(key, labels)
            .map(|l| format!(" (did you mean {l:?}?)"))
            .unwrap_or_default();
        let message = format!("{key:?} is not a field of {of}; ignored{hint}");
        if value.trim().is_empty() {
            self.end_pending();
            self.pending = Some(Pending::Unknown {
                line: no,
                message,
                items: 0,
            });
        } else {
            self.diags.warn(no, message);
        }
    }

    fn flush_stray(&mut self) {
        if let Some((no, section, labels)) = self.stray.take() {
            let shown: Vec<String> = labels.iter().take(6).map(|l| format!("{l:?}")).collect();
            let more = labels.len().saturating_sub(6);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let place = if section.is_empty() {
                "outside any result".to_string()
            } else {
                format!("in section {section:?}, which is not a result")
            };
            self.diags.warn(
                no,
                format!(
                    "{} label(s) {place} are not read: {}{more}",
                    labels.len(),
                    shown.join(", ")
                ),
            );
        }
    }

    /// Called once all blocks are read.
    pub fn end(&mut self) {
        self.end_pending();
        self.flush_stray();
    }
}

/// A line that is only text: no label, no field, no drawer (`:LOGBOOK:`).
fn is_plain(line: &Line) -> bool {
    let t = line.text.trim();
    !t.is_empty()
        && !t.starts_with(':')
        && !t.contains("::")
        && split_label(t, line.bold).is_none()
        && split_runs(t).1.is_empty()
        && take_marker(t).0.is_none()
        && split_code(t).is_none()
}

/// The duration after `=>` in a Logseq clock line, in hours.
fn clocked_hours(value: &str) -> Option<f64> {
    let (_, spent) = value.rsplit_once("=>")?;
    let parts: Vec<f64> = spent
        .trim()
        .split(':')
        .map(|p| p.parse::<f64>().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [h, m] => Some(h + m / 60.0),
        [h, m, s] => Some(h + m / 60.0 + s / 3600.0),
        _ => None,
    }
}

/// `Blocker for DATA-201` or `DATA-201 blocker`: an action field given
/// for the action with that code.
fn named_field(key: &str) -> Option<(String, ActionField)> {
    let words: Vec<&str> = key.split_whitespace().collect();
    let (code, label) = match words.as_slice() {
        [label @ .., "for", code] => (*code, label.join(" ")),
        [code, label @ ..] if !label.is_empty() => (*code, label.join(" ")),
        _ => return None,
    };
    let code = code.trim_matches(['(', ')', '`', '*']);
    if !is_action_code(code) {
        return None;
    }
    let field = action_field(&label)?;
    (!matches!(field, ActionField::Code | ActionField::Housekeeping))
        .then(|| (code.to_string(), field))
        .filter(|_| !norm(&label).is_empty())
}
