//! Tables of actions, in any column order, with the header names of
//! common exports (Notion, spreadsheets): a code column and a text column
//! make a table of actions; every other known column is a field. The rows
//! are read here (with what is wrong about the table); the walk
//! ([`super::read`]) makes them actions.

use super::diagnostics::Diags;
use super::fields::{action_field, ActionField};
use super::inline::split_code;
use super::values::is_action_code;

/// One row of a table of actions.
pub struct Row {
    pub line: usize,
    pub code: String,
    pub text: String,
    /// Every other known column: field, the cell, the column's header.
    pub fields: Vec<(ActionField, String, String)>,
}

/// The actions of a table (header at `line`); warnings about columns and
/// errors about rows go to `diags`.
pub fn rows(
    diags: &mut Diags,
    line: usize,
    header: &[String],
    rows: Vec<(usize, Vec<String>)>,
) -> Vec<Row> {
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    let mut columns: Vec<Option<ActionField>> = header.iter().map(|h| action_field(h)).collect();
    let cell = |cells: &[String], i: usize| cells.get(i).map_or("", |c| c.trim()).to_string();
    let position =
        |cols: &[Option<ActionField>], f: ActionField| cols.iter().position(|c| *c == Some(f));
    // No column called Code or ID: one whose every cell is a code is one.
    if position(&columns, ActionField::Code).is_none() && !rows.is_empty() {
        let all_codes = |i: usize| {
            rows.iter()
                .all(|(_, cells)| is_action_code(&cell(cells, i)))
        };
        // Only a column no header names: a Dependencies column is all codes too.
        if let Some(i) = (0..header.len()).find(|&i| columns[i].is_none() && all_codes(i)) {
            columns[i] = Some(ActionField::Code);
        }
    }
    let code_col = position(&columns, ActionField::Code);
    let text_col = position(&columns, ActionField::Text);
    // The code may be written in the text cell ("DATA-201: Write it").
    let codes_in_text = code_col.is_none()
        && text_col.is_some_and(|t| {
            !rows.is_empty() && rows.iter().all(|(_, c)| split_code(&cell(c, t)).is_some())
        });
    let Some(text_col) = text_col else {
        if !rows.is_empty() {
            diags.warn(
                line,
                format!(
                    "table without a text column (Name, Task, Action, Title); its {} row(s) are not read",
                    rows.len()
                ),
            );
        }
        return Vec::new();
    };
    if code_col.is_none() && !codes_in_text {
        diags.warn(
            line,
            format!(
                "table without an action-code column (Code, ID); its {} row(s) are not read",
                rows.len()
            ),
        );
        return Vec::new();
    }
    // Each column read once: a second text or owner column is reported.
    let mut seen: Vec<ActionField> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        match columns[i] {
            None if !h.trim().is_empty() => diags.warn(
                line,
                format!("column {:?} is not a field of an action; ignored", h.trim()),
            ),
            Some(ActionField::NotStored(what)) => diags.warn(
                line,
                format!("column {:?}: {what} is not stored; ignored", h.trim()),
            ),
            Some(f) if seen.contains(&f) => {
                diags.warn(
                    line,
                    format!("column {:?} repeats an earlier column; ignored", h.trim()),
                );
                columns[i] = None;
            }
            Some(f) => seen.push(f),
            None => {}
        }
    }
    let mut actions = Vec::new();
    for (no, cells) in rows {
        let (code, text) = match code_col {
            Some(c) => (cell(&cells, c), cell(&cells, text_col)),
            None => split_code(&cell(&cells, text_col)).unwrap_or_default(),
        };
        if !is_action_code(&code) {
            diags.error(
                no,
                format!("{code:?} is not an action code (like CLOUD-001a)"),
            );
            continue;
        }
        let fields = columns
            .iter()
            .enumerate()
            .filter_map(|(i, field)| match field {
                Some(ActionField::Code | ActionField::Text | ActionField::NotStored(_)) | None => {
                    None
                }
                Some(f) => Some((*f, cell(&cells, i), header[i].clone())),
            })
            .collect();
        actions.push(Row {
            line: no,
            code,
            text,
            fields,
        });
    }
    actions
}
