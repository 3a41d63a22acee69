//! The digest as an email: text, and HTML with the three charts inline
//! (`cid:` images, which mail clients show without loading anything), and
//! the PDF attached.
//!
//! ```text
//! multipart/mixed
//! ├── multipart/alternative
//! │   ├── text/plain
//! │   └── multipart/related
//! │       ├── text/html            <img src="cid:results"> …
//! │       └── image/png × 3
//! └── application/pdf              2026-W48-summary.pdf
//! ```

use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

use super::svg::{esc, money};
use super::{Rendered, WeeklyReport};

/// The subject: the week and its two headline numbers.
pub fn subject(r: &WeeklyReport) -> String {
    format!(
        "Weekly summary {}: {}% done, {} of {} revenue",
        r.week,
        r.completion_pct(),
        money(r.revenue_actual),
        money(r.revenue_target)
    )
}

/// The body (everything but the headers): `cockpit` is the week's page,
/// `footer_text` / `footer_html` say why it came and how to stop it.
pub fn body(
    r: &WeeklyReport,
    rendered: &Rendered,
    cockpit: &str,
    footer_text: &str,
    footer_html: &str,
) -> Result<MultiPart, String> {
    let png = ContentType::parse("image/png").map_err(|e| e.to_string())?;
    let pdf = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let mut related =
        MultiPart::related().singlepart(SinglePart::html(html(r, cockpit, footer_html)));
    for (id, bytes) in &rendered.charts {
        related = related
            .singlepart(Attachment::new_inline((*id).to_string()).body(bytes.clone(), png.clone()));
    }
    Ok(MultiPart::mixed()
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text(r, cockpit, footer_text)))
                .multipart(related),
        )
        .singlepart(
            Attachment::new(format!("{}-summary.pdf", r.week)).body(rendered.pdf.clone(), pdf),
        ))
}

fn blocked_lines(r: &WeeklyReport) -> Vec<String> {
    r.blocked
        .iter()
        .map(|b| {
            format!(
                "{} {} ({}): {}",
                b.code,
                b.text,
                b.owner.as_deref().unwrap_or("nobody"),
                b.reason.as_deref().unwrap_or("no reason given")
            )
        })
        .collect()
}

fn text(r: &WeeklyReport, cockpit: &str, footer: &str) -> String {
    let mut t = format!(
        "Weekly summary {} ({}'s plan, {} to {})\n\n\
         Completion: {}% ({} of {} actions)\n\
         Revenue: {} of {} target\n\
         Funnel bottleneck: {}\n\n",
        r.week,
        r.owner,
        r.week_start,
        r.week_end,
        r.completion_pct(),
        r.completed,
        r.total,
        money(r.revenue_actual),
        money(r.revenue_target),
        r.bottleneck.as_deref().unwrap_or("none")
    );
    t.push_str("Results\n");
    for l in &r.results {
        t.push_str(&format!(
            "  {} {}: {}/{} actions, {} of {}\n",
            l.code,
            l.title,
            l.completed,
            l.total,
            money(l.actual),
            money(l.target)
        ));
    }
    t.push_str(&format!("\nBlocked actions ({})\n", r.blocked.len()));
    for b in blocked_lines(r) {
        t.push_str(&format!("  {b}\n"));
    }
    t.push_str("\nTop deliverables (last 8 weeks)\n");
    for d in &r.deliverables {
        t.push_str(&format!(
            "  {} ({}, {}): {}\n",
            d.title,
            d.kind,
            d.status,
            money(d.revenue)
        ));
    }
    t.push_str(&format!(
        "\nThe week in the cockpit: {cockpit}\n\n--\n{footer}"
    ));
    t
}

fn html(r: &WeeklyReport, cockpit: &str, footer: &str) -> String {
    let big = |label: &str, value: String, note: String, colour: &str| {
        format!(
            "<td style=\"padding:10px 12px;background:#f1f5f9;border-radius:6px;vertical-align:top\">\
             <div style=\"font-size:12px;color:#475569\">{}</div>\
             <div style=\"font-size:24px;font-weight:bold;color:{colour}\">{}</div>\
             <div style=\"font-size:12px;color:#475569\">{}</div></td>",
            esc(label),
            esc(&value),
            esc(&note)
        )
    };
    let blocked_colour = if r.blocked.is_empty() {
        "#0f172a"
    } else {
        "#dc2626"
    };
    let numbers = [
        big(
            "Completion",
            format!("{}%", r.completion_pct()),
            format!("{} of {} actions", r.completed, r.total),
            "#0f172a",
        ),
        big(
            "Revenue",
            money(r.revenue_actual),
            format!("of {} target", money(r.revenue_target)),
            "#0f172a",
        ),
        big(
            "Blocked",
            r.blocked.len().to_string(),
            "actions waiting".into(),
            blocked_colour,
        ),
    ]
    .join("<td style=\"width:8px\"></td>");
    let image = |id: &str, alt: String| {
        format!(
            "<p><img src=\"cid:{id}\" width=\"424\" alt=\"{}\" \
             style=\"width:100%;max-width:424px;height:auto;display:block\"></p>",
            esc(&alt)
        )
    };
    let results_alt = r
        .results
        .iter()
        .map(|l| format!("{} {}/{}", l.code, l.completed, l.total))
        .collect::<Vec<_>>()
        .join(", ");
    let blocked = if r.blocked.is_empty() {
        "<p style=\"color:#475569\">Nothing is blocked.</p>".to_string()
    } else {
        format!(
            "<ul>{}</ul>",
            blocked_lines(r)
                .iter()
                .map(|b| format!("<li>{}</li>", esc(b)))
                .collect::<String>()
        )
    };
    let deliverables = r
        .deliverables
        .iter()
        .map(|d| {
            format!(
                "<tr><td style=\"padding:2px 8px 2px 0\">{} <span style=\"color:#475569\">({}, {})</span></td>\
                 <td style=\"text-align:right;color:#2563eb\">{}</td></tr>",
                esc(&d.title),
                esc(&d.kind),
                esc(&d.status),
                money(d.revenue)
            )
        })
        .collect::<String>();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"margin:0;padding:16px;font-family:-apple-system,'Segoe UI',Roboto,sans-serif;color:#0f172a\">\
         <div style=\"max-width:568px;margin:0 auto\">\
         <h1 style=\"font-size:22px;margin:0 0 4px\">Weekly summary {week}</h1>\
         <p style=\"margin:0 0 14px;color:#475569\">{owner}'s plan, {from} to {to} · funnel bottleneck: <strong>{bottleneck}</strong></p>\
         <table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" style=\"width:100%\"><tr>{numbers}</tr></table>\
         {results}{revenue}{funnel}\
         <h2 style=\"font-size:16px\">Blocked actions</h2>{blocked}\
         <h2 style=\"font-size:16px\">Top deliverables (last 8 weeks)</h2><table role=\"presentation\" style=\"width:100%\">{deliverables}</table>\
         <p><a href=\"{cockpit}\" style=\"display:inline-block;padding:10px 16px;background:#0f172a;color:#ffffff;border-radius:6px;text-decoration:none\">Open the week in the cockpit</a></p>\
         <p style=\"font-size:12px;color:#64748b\">The PDF of this summary is attached. {footer}</p>\
         </div></body></html>",
        week = esc(&r.week),
        owner = esc(&r.owner),
        from = r.week_start.format("%a %-d %b"),
        to = r.week_end.format("%a %-d %b %Y"),
        bottleneck = esc(r.bottleneck.as_deref().unwrap_or("none")),
        results = image("results", format!("Results: {results_alt}")),
        revenue = image(
            "revenue",
            format!("Revenue {} of {} target", money(r.revenue_actual), money(r.revenue_target))
        ),
        funnel = image(
            "funnel",
            format!("Funnel; bottleneck: {}", r.bottleneck.as_deref().unwrap_or("none"))
        ),
        cockpit = esc(cockpit),
    )
}
