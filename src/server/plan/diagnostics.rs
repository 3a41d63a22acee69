//! What the parser has to say about a plan: errors (the plan is refused)
//! and warnings (something written was not used), each at its line, with
//! the line's text so that a report can show it.

use serde::{Deserialize, Serialize};

/// One problem or skipped line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Diagnostic {
    /// 1-based line of the file.
    pub line: usize,
    pub message: String,
    /// The line as written (trimmed, at most 200 characters); empty when
    /// the problem belongs to the whole file.
    #[serde(default)]
    pub text: String,
}

impl Diagnostic {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line: line.max(1),
            message: message.into(),
            text: String::new(),
        }
    }

    /// A problem of the file as a whole (it cannot be read, the database
    /// failed): line 0.
    pub fn whole_file(message: impl Into<String>) -> Self {
        Self {
            line: 0,
            message: message.into(),
            text: String::new(),
        }
    }

    fn place(&self, file: &str) -> String {
        match self.line {
            0 => file.to_string(),
            n => format!("{file}:{n}"),
        }
    }

    /// `file:line: message`, the form editors and terminals link to.
    pub fn at(&self, file: &str) -> String {
        format!("{}: {}", self.place(file), self.message)
    }

    /// `file:line: <kind>: message`, then the line itself, as compilers
    /// print it.
    pub fn report(&self, file: &str, kind: &str) -> String {
        let head = format!("{}: {kind}: {}", self.place(file), self.message);
        if self.text.is_empty() {
            head
        } else {
            format!("{head}\n  {:>4} | {}", self.line, self.text)
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A plan that was not read: every error, and the warnings found beside them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} error(s), first {}", errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct Refused {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// The errors and warnings gathered while reading.
#[derive(Debug, Default)]
pub struct Diags {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl Diags {
    pub fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(line, message));
    }

    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Diagnostic::new(line, message));
    }

    /// Sorts both lists by line (keeping the order of one line's
    /// messages) and gives each the text of its line.
    pub fn attach_text(&mut self, source: &str) {
        let lines: Vec<&str> = source.lines().collect();
        for list in [&mut self.errors, &mut self.warnings] {
            list.sort_by_key(|d| d.line);
            list.dedup();
            for d in list.iter_mut() {
                if let Some(text) = d.line.checked_sub(1).and_then(|i| lines.get(i)) {
                    d.text = text.trim().chars().take(200).collect();
                }
            }
        }
    }
}
