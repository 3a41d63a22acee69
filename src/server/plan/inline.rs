//! One line taken apart: its task marker (`[x]`, `[/]`, `TODO`), the code
//! and text, and the fields written on the line itself — label runs
//! (`| Owner: Jesse | Due: Oct 22`, `Priority: 1 · Category: ARCH`),
//! Dataview inline fields (`[due:: 2025-11-05]`, `(owner:: Jesse)`) and
//! Obsidian Tasks' emoji signifiers (`📅 2025-11-05 ⏫`).

use super::fields::split_label;
use super::values::{is_action_code, is_result_code};

/// How a task says where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A task-list box and the character in it (`' '`, `'x'`, `'/'`, `'!'`, …).
    Box(char),
    /// A Logseq marker word (`TODO`, `DOING`, `NOW`, `LATER`, `DONE`, …).
    Keyword(&'static str),
}

/// A field written on a line, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub value: String,
}

const KEYWORDS: [&str; 10] = [
    "TODO",
    "DOING",
    "NOW",
    "LATER",
    "DONE",
    "WAITING",
    "WAIT",
    "CANCELED",
    "CANCELLED",
    "IN-PROGRESS",
];

/// Takes a task marker off the start of `text`.
pub fn take_marker(text: &str) -> (Option<Marker>, &str) {
    let mut chars = text.chars();
    if let (Some('['), Some(c), Some(']')) = (chars.next(), chars.next(), chars.next()) {
        let rest = chars.as_str();
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return (Some(Marker::Box(c)), rest.trim_start());
        }
    }
    let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
    match KEYWORDS.iter().find(|k| **k == word) {
        Some(k) => (Some(Marker::Keyword(k)), rest.trim_start()),
        None => (None, text),
    }
}

/// Takes a Logseq priority tag (`[#A]`) off the start of `text`.
pub fn take_priority_tag(text: &str) -> (Option<char>, &str) {
    let mut chars = text.chars();
    match (chars.next(), chars.next(), chars.next(), chars.next()) {
        (Some('['), Some('#'), Some(c), Some(']')) if c.is_ascii_alphabetic() => {
            (Some(c.to_ascii_uppercase()), chars.as_str().trim_start())
        }
        _ => (None, text),
    }
}

/// Takes every `[key:: value]` and `(key:: value)` out of `text`.
pub fn take_bracket_fields(text: &str, out: &mut Vec<Field>) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['[', '(']) {
        let close_char = if rest[open..].starts_with('[') {
            ']'
        } else {
            ')'
        };
        let open_char = if close_char == ']' { '[' } else { '(' };
        let inner_start = open + 1;
        let mut depth = 1;
        let mut close = None;
        for (i, c) in rest[inner_start..].char_indices() {
            if c == open_char {
                depth += 1;
            } else if c == close_char {
                depth -= 1;
                if depth == 0 {
                    close = Some(inner_start + i);
                    break;
                }
            }
        }
        let Some(close) = close else { break };
        let inner = &rest[inner_start..close];
        match inner.split_once("::") {
            Some((key, value)) if plausible_key(key) => {
                kept.push_str(rest[..open].trim_end());
                // "finished this on [completion:: 2021-08-15]." keeps its
                // full stop next to the word before the field.
                let after = &rest[close + close_char.len_utf8()..];
                if !after.starts_with(['.', ',', '!', '?', ';']) {
                    kept.push(' ');
                }
                out.push(Field {
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                });
            }
            _ => kept.push_str(&rest[..=close]),
        }
        rest = &rest[close + close_char.len_utf8()..];
    }
    kept.push_str(rest);
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plausible_key(key: &str) -> bool {
    let k = key.trim();
    !k.is_empty()
        && k.chars().count() <= 40
        && !k.contains(['[', ']', '(', ')', ':', '|'])
        && k.split_whitespace().count() <= 4
}

/// Obsidian Tasks' signifiers: the emoji, and the key it is read as.
const SIGNIFIERS: [(&str, &str); 18] = [
    ("📅", "📅"),
    ("📆", "📅"),
    ("🗓", "📅"),
    ("⏳", "⏳"),
    ("⌛", "⏳"),
    ("🛫", "🛫"),
    ("➕", "➕"),
    ("✅", "✅"),
    ("❌", "❌"),
    ("🔁", "🔁"),
    ("🏁", "🏁"),
    ("🆔", "🆔"),
    ("⛔", "⛔"),
    ("🔺", "priority highest"),
    ("⏫", "priority high"),
    ("🔼", "priority medium"),
    ("🔽", "priority low"),
    ("⏬", "priority lowest"),
];

/// Takes the emoji signifiers out of a task line: each one's value runs to
/// the next signifier. Priorities carry no value (text after one stays
/// text). `✅` or `❌` alone mark the task done or cancelled.
pub fn take_emoji_fields(text: &str, out: &mut Vec<Field>) -> String {
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for (emoji, key) in SIGNIFIERS {
        for (at, _) in text.match_indices(emoji) {
            found.push((at, emoji.len(), key));
        }
    }
    if found.is_empty() {
        return text.to_string();
    }
    found.sort_by_key(|f| f.0);
    let mut kept = text[..found[0].0].trim_end().to_string();
    for (i, &(at, len, key)) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(text.len(), |f| f.0);
        let value = text[at + len..end]
            .trim_start_matches('\u{fe0f}')
            .trim()
            .to_string();
        if let Some(level) = key.strip_prefix("priority ") {
            out.push(Field {
                key: "priority".into(),
                value: level.into(),
            });
            if !value.is_empty() {
                kept.push(' ');
                kept.push_str(&value);
            }
        } else {
            out.push(Field {
                key: key.into(),
                value,
            });
        }
    }
    kept.trim().to_string()
}

/// Splits label runs: `head | Owner: Jesse | Due: Oct 22` or
/// `Priority: 1 · Category: ARCH`. A piece after a separator that is not
/// `Label: value` belongs to the piece before it.
pub fn split_runs(text: &str) -> (String, Vec<Field>) {
    // Each piece with the separator before it.
    let mut pieces: Vec<(Option<char>, &str)> = Vec::new();
    let (mut start, mut sep) = (0, None);
    for (i, c) in text.char_indices() {
        if matches!(c, '|' | '·' | '•') {
            pieces.push((sep, &text[start..i]));
            (start, sep) = (i + c.len_utf8(), Some(c));
        }
    }
    pieces.push((sep, &text[start..]));
    let mut head = String::new();
    let mut fields: Vec<Field> = Vec::new();
    for (sep, piece) in pieces {
        match (sep, sep.and_then(|_| split_label(piece.trim(), false))) {
            (_, Some((key, value))) => fields.push(Field {
                key: key.to_string(),
                value: value.to_string(),
            }),
            (Some(c), None) => {
                let target = match fields.last_mut() {
                    Some(f) => &mut f.value,
                    None => &mut head,
                };
                target.push(c);
                target.push_str(piece);
            }
            (None, None) => head.push_str(piece),
        }
    }
    for f in &mut fields {
        f.value = f.value.trim().to_string();
    }
    (head.trim().to_string(), fields)
}

/// Splits an action's code from its text: `CODE: text`, `CODE — text`,
/// `CODE – text`, `CODE - text`, `CODE text`, `(CODE) text`, `[CODE] text`,
/// `text (CODE)`. The text may be empty.
pub fn split_code(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    let seps: &[char] = &[':', '-', '\u{2014}', '\u{2013}', '.', ' ', ')'];
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(inner) = t.strip_prefix(open) {
            if let Some((code, rest)) = inner.split_once(close) {
                if is_action_code(code.trim()) {
                    return Some((
                        code.trim().into(),
                        rest.trim_start_matches(seps).trim().into(),
                    ));
                }
            }
        }
        if let Some(before) = t.strip_suffix(close) {
            if let Some((text, code)) = before.rsplit_once(open) {
                if is_action_code(code.trim()) && !text.trim().is_empty() {
                    return Some((code.trim().into(), text.trim().into()));
                }
            }
        }
    }
    let end = t
        .find([':', ' ', '\u{2014}', '\u{2013}', ')'])
        .unwrap_or(t.len());
    let code = t[..end].trim_end_matches('.');
    if !is_action_code(code) {
        return None;
    }
    let rest = t[end..].trim_start_matches(seps).trim();
    Some((code.to_string(), rest.to_string()))
}

/// Splits a result heading: `R1: title`, `R1 — title`, `R1 title`,
/// `RESULT 1 (R1): title`, `Result 1: title`, `Result R1 - title`.
pub fn split_result(text: &str) -> Option<(String, String)> {
    let seps: &[char] = &[':', '-', '\u{2014}', '\u{2013}', '.', ' ', ')'];
    let t = text.trim();
    let (word, rest) = t.split_once(' ').unwrap_or((t, ""));
    let (code, rest) = if word.eq_ignore_ascii_case("result") {
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let n = &rest[..end];
        let mut after = rest[end..].trim_start();
        let mut code = if is_result_code(n) {
            n.to_string()
        } else if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && n.len() <= 2 {
            format!("R{n}")
        } else {
            return None;
        };
        // "RESULT 1 (R1): title": the code in parentheses names it.
        if let Some(inner) = after.strip_prefix('(') {
            if let Some((c, tail)) = inner.split_once(')') {
                if is_result_code(c.trim()) {
                    code = c.trim().to_string();
                    after = tail;
                }
            }
        }
        (code, after)
    } else {
        let end = t
            .find([':', ' ', '\u{2014}', '\u{2013}', ')', '.'])
            .unwrap_or(t.len());
        let code = t[..end].trim_start_matches('(');
        if !is_result_code(code) {
            return None;
        }
        (code.to_string(), &t[end..])
    };
    Some((code, rest.trim_start_matches(seps).trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(key: &str, value: &str) -> Field {
        Field {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn markers_of_every_convention_come_off_the_start() {
        assert_eq!(
            take_marker("[/] A-1: x"),
            (Some(Marker::Box('/')), "A-1: x")
        );
        assert_eq!(take_marker("[!] A-1"), (Some(Marker::Box('!')), "A-1"));
        assert_eq!(
            take_marker("DOING A-1 x"),
            (Some(Marker::Keyword("DOING")), "A-1 x")
        );
        assert_eq!(take_marker("Todo list"), (None, "Todo list"));
        assert_eq!(take_marker("[[Page]] x"), (None, "[[Page]] x"));
        assert_eq!(take_priority_tag("[#A] write"), (Some('A'), "write"));
    }

    #[test]
    fn dataview_fields_are_taken_from_brackets_and_parentheses() {
        let mut out = Vec::new();
        let rest = take_bracket_fields(
            "A-1: Write [due:: 2025-11-05] it (owner:: [[Jesse]]) [[Link]] [#A]",
            &mut out,
        );
        assert_eq!(rest, "A-1: Write it [[Link]] [#A]");
        assert_eq!(out, vec![f("due", "2025-11-05"), f("owner", "[[Jesse]]")]);
    }

    #[test]
    fn emoji_signifiers_run_to_the_next_one() {
        let mut out = Vec::new();
        let rest = take_emoji_fields(
            "take out the trash 🔼 ➕ 2023-04-13 🛫 2023-04-14 ⏳ 2023-04-15 📅 2023-04-16 🔁 every week ✅ 2023-04-17",
            &mut out,
        );
        assert_eq!(rest, "take out the trash");
        assert_eq!(
            out,
            vec![
                f("priority", "medium"),
                f("➕", "2023-04-13"),
                f("🛫", "2023-04-14"),
                f("⏳", "2023-04-15"),
                f("📅", "2023-04-16"),
                f("🔁", "every week"),
                f("✅", "2023-04-17"),
            ]
        );
        let mut out = Vec::new();
        assert_eq!(
            take_emoji_fields("do it ⛔\u{fe0f} abc, def", &mut out),
            "do it"
        );
        assert_eq!(out, vec![f("⛔", "abc, def")]);
    }

    #[test]
    fn label_runs_split_on_pipes_and_dots() {
        let (head, fields) = split_runs("DATA-1 — text | Owner: Jesse | Due: Oct 22 | Est: 2h");
        assert_eq!(head, "DATA-1 — text");
        assert_eq!(
            fields,
            vec![f("Owner", "Jesse"), f("Due", "Oct 22"), f("Est", "2h")]
        );
        let (head, fields) = split_runs("Priority: 1 · Category: ARCH · Revenue target: $0");
        assert_eq!(head, "Priority: 1");
        assert_eq!(
            fields,
            vec![f("Category", "ARCH"), f("Revenue target", "$0")]
        );
        let (head, fields) = split_runs("Blocker: waiting | not sure | Owner: Q");
        assert_eq!(head, "Blocker: waiting | not sure");
        assert_eq!(fields, vec![f("Owner", "Q")]);
        let (head, fields) = split_runs("Song · Remix");
        assert_eq!((head.as_str(), fields.len()), ("Song · Remix", 0));
    }

    #[test]
    fn codes_split_from_text_with_every_separator() {
        let want = Some(("DATA-201".to_string(), "Write it".to_string()));
        for text in [
            "DATA-201: Write it",
            "DATA-201 — Write it",
            "DATA-201 – Write it",
            "DATA-201 - Write it",
            "DATA-201 Write it",
            "(DATA-201) Write it",
            "[DATA-201] Write it",
            "Write it (DATA-201)",
            "DATA-201. Write it",
        ] {
            assert_eq!(split_code(text), want, "{text}");
        }
        assert_eq!(
            split_code("DATA-201"),
            Some(("DATA-201".into(), String::new()))
        );
        assert_eq!(split_code("Risk 1: AlloyDB delays"), None);
    }

    #[test]
    fn result_headings_in_every_form() {
        let want = Some(("R1".to_string(), "Boot fixed".to_string()));
        for text in [
            "R1: Boot fixed",
            "R1 — Boot fixed",
            "R1 Boot fixed",
            "RESULT 1 (R1): Boot fixed",
            "Result 1: Boot fixed",
            "Result R1 - Boot fixed",
            "R1. Boot fixed",
        ] {
            assert_eq!(split_result(text), want, "{text}");
        }
        assert_eq!(split_result("Risks"), None);
        assert_eq!(split_result("Results of the week"), None);
    }
}
