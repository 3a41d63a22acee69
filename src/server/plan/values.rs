//! Tolerant readers for the values people write in plans: dates, hours,
//! money, funnel stages, statuses, codes. Each returns a reason on failure;
//! the caller adds the file and line.

use chrono::{Datelike, Days, NaiveDate};

use crate::model::{ActionStatus, FunnelStage};

/// A date as written: the year may be missing ("Oct 27").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenDate {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl WrittenDate {
    /// The date itself, taking a missing year from the one that puts it
    /// nearest to `near` (a plan written in late December may say "Jan 2").
    pub fn resolve(self, near: NaiveDate) -> Option<NaiveDate> {
        match self.year {
            Some(y) => NaiveDate::from_ymd_opt(y, self.month, self.day),
            None => [near.year() - 1, near.year(), near.year() + 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, self.month, self.day))
                .min_by_key(|d| (*d - near).num_days().abs()),
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = w.trim_end_matches('.');
    (0..12)
        .find(|&i| w == MONTHS[i] || w == full[i] || (w == "sept" && i == 8))
        .map(|i| i as u32 + 1)
}

/// Reads `2025-10-27`, `10/27/2025`, `Oct 27`, `October 27, 2025`,
/// `27 Oct 2025`, `Mon Oct 27`, with an optional time after it (ignored).
pub fn parse_date(text: &str) -> Result<WrittenDate, String> {
    let bad = || format!("{text:?} is not a date (write 2025-10-27 or Oct 27)");
    // Logseq `<2025-11-05 Wed>`, wiki links `[[2025-11-05]]`.
    let cleaned = text.trim().trim_matches(['<', '>', '[', ']', '`']);
    let words: Vec<&str> = cleaned
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !WEEKDAYS
                .iter()
                .any(|d| w.to_ascii_lowercase().starts_with(d))
        })
        .collect();
    let first = *words.first().ok_or_else(bad)?;
    if let Some(date) = iso_or_us(first) {
        return Ok(date);
    }
    let number = |w: &str| {
        w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<u32>()
            .ok()
    };
    let (month, day, rest) = match (month_of(first), words.get(1)) {
        (Some(m), Some(w)) => (m, number(w).ok_or_else(bad)?, &words[2..]),
        (None, Some(w)) => (
            month_of(w).ok_or_else(bad)?,
            number(first).ok_or_else(bad)?,
            &words[2..],
        ),
        _ => return Err(bad()),
    };
    let year = match rest.first().and_then(|w| w.parse::<i32>().ok()) {
        Some(y) if (1000..10000).contains(&y) => Some(y),
        _ => None,
    };
    let date = WrittenDate { year, month, day };
    // Check the day exists (in a leap year when the year is unknown).
    NaiveDate::from_ymd_opt(year.unwrap_or(2024), month, day).ok_or_else(bad)?;
    Ok(date)
}

fn iso_or_us(word: &str) -> Option<WrittenDate> {
    let nums = |sep: char| -> Option<Vec<u32>> {
        let parts: Vec<_> = word.split(sep).collect();
        (parts.len() == 3)
            .then(|| {
                parts
                    .iter()
                    .map(|p| p.parse().ok())
                    .collect::<Option<Vec<u32>>>()
            })
            .flatten()
    };
    let (y, m, d) = if let Some(n) = nums('-') {
        (n[0], n[1], n[2])
    } else if let Some(n) = nums('/') {
        (n[2], n[0], n[1])
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(y as i32, m, d)?;
    Some(WrittenDate {
        year: Some(y as i32),
        month: m,
        day: d,
    })
}

/// Reads a week: `2025-10-27 to 2025-11-02`, `Oct 27 – Nov 2, 2025`,
/// `Oct 27-Nov 2`, or one date (the Monday–Sunday week holding it).
pub fn parse_week(text: &str) -> Result<(WrittenDate, Option<WrittenDate>), String> {
    if let Some(monday) = iso_week_in(text) {
        let sunday = monday + Days::new(6);
        let written = |d: NaiveDate| WrittenDate {
            year: Some(d.year()),
            month: d.month(),
            day: d.day(),
        };
        return Ok((written(monday), Some(written(sunday))));
    }
    for sep in [" to ", "–", "—", " - ", " through ", " until "] {
        if let Some((a, b)) = text.split_once(sep) {
            let (a, b) = (a.trim(), b.trim());
            // "Nov 16–22, 2026": the end borrows the start's month.
            let (mut start, end) = match (parse_date(a), parse_date(b)) {
                (Ok(s), Ok(e)) => (s, e),
                (Ok(s), Err(_)) => (s, parse_date(&format!("{} {b}", month_name(s.month)))?),
                (Err(_), Ok(e)) => (parse_date(&format!("{} {a}", month_name(e.month)))?, e),
                (Err(e), Err(_)) => return Err(e),
            };
            start.year = start.year.or(borrowed_year(&start, &end));
            return Ok((start, Some(end)));
        }
    }
    if let Ok(date) = parse_date(text) {
        return Ok((date, None));
    }
    // "Oct 27-Nov 2" (a plain hyphen between two dates).
    if let Some((a, b)) = text.split_once('-') {
        if let (Ok(mut start), Ok(end)) = (parse_date(a.trim()), parse_date(b.trim())) {
            start.year = start.year.or(borrowed_year(&start, &end));
            return Ok((start, Some(end)));
        }
    }
    Err(format!(
        "{text:?} is not a week (write 2025-10-27 to 2025-11-02)"
    ))
}

/// The start's year from the end's: "Dec 29 – Jan 4, 2026" starts in 2025.
fn borrowed_year(start: &WrittenDate, end: &WrittenDate) -> Option<i32> {
    end.year
        .map(|y| if start.month > end.month { y - 1 } else { y })
}

fn month_name(month: u32) -> &'static str {
    MONTHS[(month as usize).saturating_sub(1) % 12]
}

/// The Monday of an ISO week written `2026-W47` (or `2026 W47`,
/// `2026-w47`) anywhere in `text`.
pub fn iso_week_in(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(6)).find_map(|i| {
        let year = text.get(i..i + 4)?.parse::<i32>().ok()?;
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let sep = bytes[i + 4];
        let w = bytes[i + 5];
        if !before_ok || !matches!(sep, b'-' | b' ') || !matches!(w, b'W' | b'w') {
            return None;
        }
        let digits: String = text[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let week = digits.parse::<u32>().ok().filter(|_| digits.len() <= 2)?;
        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
    })
}

/// Moves every ISO week label (`2026-W47`) in `text` by `weeks`.
pub fn shift_week_labels(text: &str, weeks: i64) -> String {
    let b = text.as_bytes();
    let (mut out, mut copied, mut i) = (String::with_capacity(text.len()), 0, 0);
    while i + 8 <= b.len() {
        let label = b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && b[i + 5] == b'W'
            && b[i + 6..i + 8].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 8).is_none_or(|c| !c.is_ascii_digit());
        let monday = label
            .then(|| {
                let year = text[i..i + 4].parse().ok()?;
                let week = text[i + 6..i + 8].parse().ok()?;
                NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            })
            .flatten();
        if let Some(monday) = monday {
            let moved = (monday + chrono::Duration::weeks(weeks)).iso_week();
            out.push_str(&text[copied..i]);
            out.push_str(&format!("{}-W{:02}", moved.year(), moved.week()));
            i += 8;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The Monday of the week holding `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// Reads hours: `2h`, `2 hours`, `1.5`, `30 minutes`, `45m`, `1h 30m`.
pub fn parse_hours(text: &str) -> Result<f64, String> {
    let bad = || format!("{text:?} is not a number of hours (write 2h, 1.5 or 30 minutes)");
    let cleaned = text
        .trim()
        .trim_start_matches('~')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    // "1:30" is an hour and a half.
    if let Some((h, m)) = cleaned.split_once(':') {
        if let (Ok(h), Ok(m)) = (h.trim().parse::<u32>(), m.trim().parse::<u32>()) {
            if m < 60 && h < 1000 {
                return Ok(((f64::from(h) + f64::from(m) / 60.0) * 100.0).round() / 100.0);
            }
        }
        return Err(bad());
    }
    let mut total = 0.0;
    let mut rest = cleaned.as_str();
    let mut any = false;
    while !rest.trim_matches([' ', ',']).is_empty() {
        rest = rest.trim_start_matches([' ', ',']);
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..end].parse().map_err(|_| bad())?;
        rest = rest[end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "" | "h" | "hr" | "hrs" | "hour" | "hours" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 1.0 / 60.0,
            "d" | "day" | "days" => 8.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_end..];
        total += value * factor;
        any = true;
    }
    if !any || !total.is_finite() || total > 999.0 {
        return Err(bad());
    }
    Ok((total * 100.0).round() / 100.0)
}

/// Reads money: `$5,000`, `5000`, `$1.2k`, `2500 USD`.
pub fn parse_money(text: &str) -> Result<f64, String> {
    let bad = || format!("{text:?} is not an amount of money (write $5,000)");
    let t = text
        .trim()
        .to_ascii_lowercase()
        .replace(['$', ',', ' '], "");
    let t = t.trim_end_matches("usd");
    let (digits, factor) = match t.strip_suffix('k') {
        Some(d) => (d, 1000.0),
        None => (t, 1.0),
    };
    let v: f64 = digits.parse().map_err(|_| bad())?;
    if !v.is_finite() || !(0.0..1e10).contains(&v) {
        return Err(bad());
    }
    Ok((v * factor * 100.0).round() / 100.0)
}

/// Reads a funnel stage: top/middle/bottom, TOFU/MOFU/BOFU, "top of funnel".
pub fn parse_stage(text: &str) -> Result<FunnelStage, String> {
    let t = text.trim().to_ascii_lowercase();
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    match first {
        "top" | "tof" | "tofu" | "awareness" => Ok(FunnelStage::Top),
        "middle" | "mid" | "mof" | "mofu" | "consideration" => Ok(FunnelStage::Middle),
        "bottom" | "bof" | "bofu" | "conversion" => Ok(FunnelStage::Bottom),
        _ => Err(format!(
            "unknown funnel stage {text:?} (top, middle or bottom)"
        )),
    }
}

/// Reads an action status: the stored values and what people write for
/// them (Notion's `Not started`/`In progress`/`Done`, Logseq's markers).
pub fn parse_status(text: &str) -> Result<ActionStatus, String> {
    let t = text
        .trim()
        .trim_start_matches(['✅', '⏳', '🚫', '⛔', '❌', '\u{fe0f}', ' '])
        .to_lowercase()
        .replace(['_', '-'], " ");
    match t.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
        "pending" | "todo" | "to do" | "not started" | "open" | "planned" | "later" | "backlog"
        | "new" => Ok(ActionStatus::Pending),
        "in progress" | "doing" | "wip" | "started" | "active" | "now" | "ongoing" => {
            Ok(ActionStatus::InProgress)
        }
        "blocked" | "stuck" | "waiting" | "wait" | "on hold" => Ok(ActionStatus::Blocked),
        "done" | "complete" | "completed" | "finished" => Ok(ActionStatus::Completed),
        "cancelled" | "canceled" | "dropped" | "won't do" | "wont do" | "abandoned" => {
            Ok(ActionStatus::Cancelled)
        }
        "deferred" | "postponed" | "rescheduled" | "forwarded" | "moved" | "carried over" => {
            Ok(ActionStatus::Deferred)
        }
        _ if text.contains('✅') => Ok(ActionStatus::Completed),
        _ => Err(format!(
            "unknown status {text:?} (pending, in progress, blocked, completed, deferred or cancelled)"
        )),
    }
}

/// Reads a priority: `1`…`5`, `P1`, `highest`/`high`/`medium`/`low`/`lowest`,
/// Logseq's `A`/`B`/`C`. 1 is the highest.
pub fn parse_priority(text: &str) -> Result<i16, String> {
    let t = text
        .trim()
        .trim_start_matches(['#', '[', ']'])
        .to_lowercase();
    let t = t.trim_end_matches(']');
    let n = match t.trim_start_matches('p') {
        "1" | "highest" | "urgent" | "critical" => 1,
        "2" | "high" | "a" => 2,
        "3" | "medium" | "normal" | "b" => 3,
        "4" | "low" | "c" => 4,
        "5" | "lowest" => 5,
        _ => {
            return Err(format!(
                "priority {text:?} is not 1-5 or highest, high, medium, low, lowest"
            ))
        }
    };
    Ok(n)
}

/// Reads a yes/no cell (Notion's checkbox columns export `Yes`/`No`).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "✓" | "✔" | "✔️" | "x" | "[x]" | "checked" | "☑" => {
            Some(true)
        }
        "no" | "n" | "false" | "[ ]" | "unchecked" | "☐" => Some(false),
        _ => None,
    }
}

/// A value as written without its wrapping: `[[Jesse]]` -> `Jesse`,
/// `` `path` `` -> `path`, `"x"` -> `x`.
pub fn clean(text: &str) -> String {
    let t = text.trim();
    let t = t
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"))
        .map(|s| s.rsplit('|').next().unwrap_or(s))
        .unwrap_or(t);
    t.trim_matches(['`', '"']).trim().to_string()
}

/// True for an action code: `CLOUD-001a`, `ARCH-BOOT-001a`, `W47-R1-03`:
/// starts with a capital letter, holds a dash and a digit, no spaces.
pub fn is_action_code(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && word.len() <= 100
        && word.contains('-')
        && word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !is_result_code(word)
}

/// True for an id given explicitly (`🆔 abc123`, `id:: task-7`): letters,
/// digits, `-`, `_` and `.`, at most 100.
pub fn is_explicit_id(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 100
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// True for a result code: `R1`, `R12`.
pub fn is_result_code(word: &str) -> bool {
    word.len() >= 2
        && word.len() <= 4
        && word.starts_with('R')
        && word[1..].chars().all(|c| c.is_ascii_digit())
}

/// Action codes named in a dependencies text; "None" and prose are skipped.
pub fn parse_dependencies(text: &str) -> Vec<String> {
    let mut codes: Vec<String> = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '`' | '[' | ']' | '&' | '→')
        })
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| is_action_code(w))
        .map(str::to_string)
        .collect();
    codes.dedup();
    codes
}

/// A date in a heading ("Monday, October 28, 2025", "Week of Oct 27 – Nov 2, 2025",
/// "RPM Weekly Plan – 2026-W47").
pub fn week_in(text: &str) -> Option<WrittenDate> {
    let candidates = [
        Some(text),
        text.rsplit_once(':').map(|(_, t)| t),
        text.split_once("Week of").map(|(_, t)| t),
        text.split_once('(')
            .and_then(|(_, t)| t.split_once(')'))
            .map(|(t, _)| t),
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
#[path = "values_tests.rs"]
mod tests;
