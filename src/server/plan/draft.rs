//! The plan as it is being read: results, actions and everything said
//! about them, before the checks of [`super::finish`]. Filled by
//! [`super::read`] (the walk over the blocks) and [`super::apply`] (the
//! values of fields).

use std::collections::HashMap;

use super::blocks::Line;
use super::diagnostics::Diags;
use super::fields::ActionField;
use super::values::WrittenDate;
use super::{ActionDoc, ResultDoc};
use crate::model::ActionStatus;
pub type Dated = Option<(WrittenDate, usize)>;

#[derive(Default)]
pub struct Draft {
    pub diags: Diags,
    pub week_start: Dated,
    pub week_end: Dated,
    pub week_hint: Dated,
    pub owner: Option<String>,
    pub classification: Option<String>,
    pub version: Option<String>,
    pub status: Option<(String, usize)>,
    pub title: Option<String>,
    pub results: Vec<ResultDraft>,
    pub section: Option<Line>,
    pub in_result: bool,
    pub in_action: bool,
    /// A label with an empty value, filled (or, unknown, swallowed) by the
    /// list items after it.
    pub pending: Option<Pending>,
    /// First line of each action code.
    pub codes: HashMap<String, usize>,
    /// Fields given for a named action elsewhere (`Blocker for DATA-201: …`).
    pub named: Vec<Named>,
    /// Obsidian Tasks ids (`🆔 abc123`) -> action codes, for `⛔ abc123`.
    pub ids: HashMap<String, String>,
    /// Labels in a section outside any result or action: one warning per
    /// section, at its first such line.
    pub stray: Option<(usize, String, Vec<String>)>,
}

/// What the list items after an empty label belong to.
pub enum Pending {
    Field(ActionField),
    Unknown {
        line: usize,
        message: String,
        items: usize,
    },
}

/// A field given for an action by its code, applied once all are read.
pub struct Named {
    pub code: String,
    pub field: ActionField,
    pub value: String,
    pub line: usize,
}

pub struct ResultDraft {
    pub doc: ResultDoc,
    pub has_purpose: bool,
    pub status_given: bool,
    pub actions: Vec<ActionDraft>,
}

pub struct ActionDraft {
    pub doc: ActionDoc,
    pub due: Dated,
    pub completed: Dated,
    pub scheduled: Dated,
    pub start: Dated,
    /// The status a task marker gave, and its line.
    pub marked: Option<(ActionStatus, usize)>,
    /// Ids from `⛔` / `dependsOn` to resolve through [`Draft::ids`].
    pub dep_ids: Vec<(String, usize)>,
    /// Hours from Logseq `CLOCK:` lines.
    pub clocked: f64,
    /// A second action with a code already used: read, reported, not kept.
    pub discarded: bool,
}

impl Draft {
    pub fn action(&mut self) -> &mut ActionDraft {
        let r = self.results.last_mut().expect("a result is open");
        r.actions.last_mut().expect("an action is open")
    }
}
