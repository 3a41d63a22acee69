//! The digest drawn as SVG: one A4 page (595 × 842 pt) for the PDF, and
//! the same three charts standing alone for the email's images. Text is
//! DejaVu Sans, which `render` gives the renderers (no system fonts).

use std::fmt::Write as _;

use super::WeeklyReport;

pub const PAGE_W: f64 = 595.0;
pub const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 40.0;
const INK: &str = "#0f172a";
const MUTED: &str = "#475569";
const TRACK: &str = "#e2e8f0";
const DONE: &str = "#16a34a";
const TARGET: &str = "#94a3b8";
const ACTUAL: &str = "#2563eb";
const ALERT: &str = "#dc2626";

/// XML text.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// At most `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// "$12,345".
pub fn money(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if n < 0 { "-" } else { "" })
}

/// How a label looks.
#[derive(Clone, Copy)]
struct Style {
    size: f64,
    fill: &'static str,
    bold: bool,
    anchor: &'static str,
}

impl Style {
    fn new(size: f64, fill: &'static str) -> Self {
        Self {
            size,
            fill,
            bold: false,
            anchor: "start",
        }
    }
    fn bold(self) -> Self {
        self.bold_if(true)
    }
    fn bold_if(mut self, bold: bool) -> Self {
        self.bold = bold;
        self
    }
    fn end(mut self) -> Self {
        self.anchor = "end";
        self
    }
    fn middle(mut self) -> Self {
        self.anchor = "middle";
        self
    }
}

fn text(out: &mut String, x: f64, y: f64, style: Style, t: &str) {
    let Style {
        size,
        fill,
        bold,
        anchor,
    } = style;
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-family="DejaVu Sans" font-size="{size}" fill="{fill}"{} text-anchor="{anchor}">{}</text>"#,
        if bold { r#" font-weight="bold""# } else { "" },
        esc(t)
    );
}

fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str) {
    if w < 0.5 {
        return; // nothing to draw (a zero bar)
    }
    let _ = write!(
        out,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="3" fill="{fill}"/>"#
    );
}

/// Each result's actions done, as progress bars: (body, height). `k`
/// scales text and rows (1 on the page; larger for a phone's email).
pub fn results_chart(r: &WeeklyReport, width: f64, k: f64) -> (String, f64) {
    let mut out = String::new();
    text(
        &mut out,
        0.0,
        14.0 * k,
        Style::new(13.0 * k, INK).bold(),
        "Results",
    );
    let mut y = 30.0 * k;
    if r.results.is_empty() {
        text(
            &mut out,
            0.0,
            y + 12.0 * k,
            Style::new(10.0 * k, MUTED),
            "No results in this plan.",
        );
        return (out, y + 20.0 * k);
    }
    let bar_x = width * 0.55;
    let bar_w = width - bar_x - 40.0 * k;
    let label_chars = (bar_x / (5.6 * k)) as usize;
    for line in &r.results {
        let label = format!("{} {}", line.code, line.title);
        text(
            &mut out,
            0.0,
            y + 10.0 * k,
            Style::new(9.5 * k, INK),
            &cut(&label, label_chars),
        );
        rect(&mut out, bar_x, y + k, bar_w, 11.0 * k, TRACK);
        let share = if line.total == 0 {
            0.0
        } else {
            f64::from(line.completed) / f64::from(line.total)
        };
        rect(&mut out, bar_x, y + k, bar_w * share, 11.0 * k, DONE);
        let count = format!("{}/{}", line.completed, line.total);
        text(
            &mut out,
            width,
            y + 10.0 * k,
            Style::new(9.5 * k, MUTED).end(),
            &count,
        );
        y += 20.0 * k;
    }
    (out, y)
}

/// Revenue target and actual per result, as paired bars.
pub fn revenue_chart(r: &WeeklyReport, width: f64, k: f64) -> (String, f64) {
    let mut out = String::new();
    text(
        &mut out,
        0.0,
        14.0 * k,
        Style::new(13.0 * k, INK).bold(),
        "Revenue against target",
    );
    let lines: Vec<_> = r
        .results
        .iter()
        .filter(|l| l.target > 0.0 || l.actual > 0.0)
        .collect();
    // The legend under the title: the title takes the width on a phone.
    let legend = 24.0 * k;
    rect(&mut out, 0.0, legend, 10.0 * k, 10.0 * k, TARGET);
    text(
        &mut out,
        14.0 * k,
        legend + 9.0 * k,
        Style::new(9.0 * k, MUTED),
        "target",
    );
    rect(&mut out, 60.0 * k, legend, 10.0 * k, 10.0 * k, ACTUAL);
    text(
        &mut out,
        74.0 * k,
        legend + 9.0 * k,
        Style::new(9.0 * k, MUTED),
        "actual",
    );
    let mut y = legend + 20.0 * k;
    if lines.is_empty() {
        text(
            &mut out,
            0.0,
            y + 12.0 * k,
            Style::new(10.0 * k, MUTED),
            "No revenue targets this week.",
        );
        return (out, y + 20.0 * k);
    }
    let top = lines
        .iter()
        .map(|l| l.target.max(l.actual))
        .fold(1.0_f64, f64::max);
    let bar_x = width * 0.34;
    let bar_w = width - bar_x - 58.0 * k;
    let label_chars = (bar_x / (5.6 * k)) as usize;
    for l in lines {
        let label = cut(&format!("{} {}", l.code, l.title), label_chars);
        text(
            &mut out,
            0.0,
            y + 14.0 * k,
            Style::new(9.5 * k, INK),
            &label,
        );
        rect(
            &mut out,
            bar_x,
            y + 2.0 * k,
            bar_w * l.target / top,
            8.0 * k,
            TARGET,
        );
        // An actual too small to see is still marked.
        let actual = (bar_w * l.actual / top).max(if l.actual > 0.0 { 2.0 } else { 0.0 });
        rect(&mut out, bar_x, y + 12.0 * k, actual, 8.0 * k, ACTUAL);
        text(
            &mut out,
            width,
            y + 9.0 * k,
            Style::new(8.5 * k, MUTED).end(),
            &money(l.target),
        );
        text(
            &mut out,
            width,
            y + 19.5 * k,
            Style::new(8.5 * k, ACTUAL).end(),
            &money(l.actual),
        );
        y += 28.0 * k;
    }
    (out, y)
}

/// The funnel: three stages narrowing, the bottleneck outlined in red.
pub fn funnel_chart(r: &WeeklyReport, width: f64, k: f64) -> (String, f64) {
    let mut out = String::new();
    text(
        &mut out,
        0.0,
        14.0 * k,
        Style::new(13.0 * k, INK).bold(),
        "Funnel",
    );
    let mut y = 28.0 * k;
    let widest = width * 0.45;
    let centre = widest / 2.0 + 2.0;
    for (i, s) in r.stages.iter().enumerate() {
        let top_w = widest * (1.0 - 0.22 * i as f64);
        let bottom_w = (widest * (1.0 - 0.22 * (i as f64 + 1.0))).max(widest * 0.2);
        let h = 30.0 * k;
        let bottleneck = r.bottleneck.as_deref() == Some(s.stage.as_str());
        let fill = match i {
            0 => "#bfdbfe",
            1 => "#93c5fd",
            _ => "#60a5fa",
        };
        let _ = write!(
            out,
            r#"<path d="M{:.1},{y:.1} L{:.1},{y:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{fill}"{}/>"#,
            centre - top_w / 2.0,
            centre + top_w / 2.0,
            centre + bottom_w / 2.0,
            y + h,
            centre - bottom_w / 2.0,
            y + h,
            if bottleneck {
                format!(r#" stroke="{ALERT}" stroke-width="{:.1}""#, 2.5 * k)
            } else {
                String::new()
            }
        );
        let stage = format!("{}{}", s.stage[..1].to_uppercase(), &s.stage[1..]);
        text(
            &mut out,
            centre,
            y + 19.0 * k,
            Style::new(10.0 * k, INK).bold().middle(),
            &stage,
        );
        let x = widest + 12.0;
        let detail = format!("{} actions · {} done", s.actions, s.completed);
        text(&mut out, x, y + 13.0 * k, Style::new(9.0 * k, INK), &detail);
        let score = if bottleneck {
            format!("{} blocked · bottleneck ({:.1})", s.blocked, s.score)
        } else {
            format!("{} blocked · score {:.1}", s.blocked, s.score)
        };
        let colour = if bottleneck { ALERT } else { MUTED };
        text(
            &mut out,
            x,
            y + 25.0 * k,
            Style::new(8.5 * k, colour).bold_if(bottleneck),
            &score,
        );
        y += h + 4.0 * k;
    }
    (out, y + 4.0 * k)
}

/// A chart on its own, white, for an image.
fn standalone((body, height): (String, f64), width: f64) -> String {
    let h = height + 16.0;
    let w = width + 24.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="100%" height="100%" fill="#ffffff"/><g transform="translate(12,8)">{body}</g></svg>"##
    )
}

/// The three charts for the email, by content id.
/// Drawn 400 wide with text 1.45 times the page's: shown at a phone's
/// width (about 360 px) the text is as large as the mail's own small print.
pub fn charts(r: &WeeklyReport) -> Vec<(&'static str, String)> {
    let (w, k) = (400.0, 1.45);
    vec![
        ("results", standalone(results_chart(r, w, k), w)),
        ("revenue", standalone(revenue_chart(r, w, k), w)),
        ("funnel", standalone(funnel_chart(r, w, k), w)),
    ]
}

/// The whole page, for the PDF.
pub fn page(r: &WeeklyReport) -> String {
    let w = PAGE_W - 2.0 * MARGIN;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}" height="{PAGE_H}" viewBox="0 0 {PAGE_W} {PAGE_H}"><rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    text(
        &mut out,
        MARGIN,
        56.0,
        Style::new(20.0, INK).bold(),
        &format!("Weekly summary · {}", r.week),
    );
    let sub = format!(
        "{}'s plan · {} – {}",
        r.owner,
        r.week_start.format("%a %-d %b"),
        r.week_end.format("%a %-d %b %Y")
    );
    text(&mut out, MARGIN, 74.0, Style::new(10.5, MUTED), &sub);

    // The big numbers.
    let boxes = [
        (
            "Completion".to_string(),
            format!("{}%", r.completion_pct()),
            format!("{} of {} actions", r.completed, r.total),
        ),
        (
            "Revenue".to_string(),
            money(r.revenue_actual),
            format!("of {} target", money(r.revenue_target)),
        ),
        (
            "Blocked".to_string(),
            r.blocked.len().to_string(),
            "actions waiting".to_string(),
        ),
        (
            "Bottleneck".to_string(),
            r.bottleneck.clone().unwrap_or_else(|| "none".into()),
            "funnel stage".to_string(),
        ),
    ];
    let bw = (w - 3.0 * 10.0) / 4.0;
    for (i, (label, big, small)) in boxes.iter().enumerate() {
        let x = MARGIN + i as f64 * (bw + 10.0);
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="90" width="{bw:.1}" height="62" rx="6" fill="#f1f5f9"/>"##
        );
        text(&mut out, x + 10.0, 106.0, Style::new(9.0, MUTED), label);
        let colour = if label == "Blocked" && !r.blocked.is_empty() {
            ALERT
        } else {
            INK
        };
        text(
            &mut out,
            x + 10.0,
            129.0,
            Style::new(19.0, colour).bold(),
            big,
        );
        text(&mut out, x + 10.0, 144.0, Style::new(8.5, MUTED), small);
    }

    let mut y = 172.0;
    for (body, height) in [
        results_chart(r, w, 1.0),
        revenue_chart(r, w, 1.0),
        funnel_chart(r, w, 1.0),
    ] {
        let _ = write!(out, r#"<g transform="translate({MARGIN},{y})">{body}</g>"#);
        y += height + 14.0;
    }

    // The blocked actions and the top deliverables, as lists.
    let room = ((PAGE_H - 60.0 - y) / 2.0 / 14.0).floor().max(2.0) as usize;
    text(
        &mut out,
        MARGIN,
        y + 14.0,
        Style::new(13.0, INK).bold(),
        "Blocked actions",
    );
    y += 30.0;
    if r.blocked.is_empty() {
        text(
            &mut out,
            MARGIN,
            y,
            Style::new(9.5, MUTED),
            "Nothing is blocked.",
        );
        y += 14.0;
    }
    for (i, b) in r.blocked.iter().enumerate() {
        if i + 1 == room && r.blocked.len() > room {
            text(
                &mut out,
                MARGIN,
                y,
                Style::new(9.5, MUTED),
                &format!("… and {} more", r.blocked.len() - i),
            );
            y += 14.0;
            break;
        }
        let line = format!(
            "{} {} — {}: {}",
            b.code,
            b.text,
            b.owner.as_deref().unwrap_or("nobody"),
            b.reason.as_deref().unwrap_or("no reason given")
        );
        text(&mut out, MARGIN, y, Style::new(9.5, INK), &cut(&line, 100));
        y += 14.0;
    }
    text(
        &mut out,
        MARGIN,
        y + 12.0,
        Style::new(13.0, INK).bold(),
        "Top deliverables (last 8 weeks)",
    );
    y += 28.0;
    if r.deliverables.is_empty() {
        text(
            &mut out,
            MARGIN,
            y,
            Style::new(9.5, MUTED),
            "No deliverable earned in the last 8 weeks.",
        );
    }
    for d in r.deliverables.iter().take(room) {
        let line = format!("{} ({}, {})", d.title, d.kind, d.status);
        text(&mut out, MARGIN, y, Style::new(9.5, INK), &cut(&line, 80));
        text(
            &mut out,
            PAGE_W - MARGIN,
            y,
            Style::new(9.5, ACTUAL).end(),
            &money(d.revenue),
        );
        y += 14.0;
    }
    let footer = format!(
        "Made by RPM Cockpit on {} UTC",
        r.generated_at.format("%Y-%m-%d %H:%M")
    );
    text(
        &mut out,
        MARGIN,
        PAGE_H - 24.0,
        Style::new(8.0, MUTED),
        &footer,
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_text_are_written_for_people_and_for_xml() {
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(1234.4), "$1,234");
        assert_eq!(money(1_234_567.0), "$1,234,567");
        assert_eq!(money(-950.0), "-$950");
        assert_eq!(esc("R&D <a> \"b\""), "R&amp;D &lt;a&gt; &quot;b&quot;");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
