//! Small pieces every panel uses.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::error::AppError;

/// "just now", "2 minutes ago", "in 3 days".
pub fn relative(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let secs = (now - at).num_seconds();
    let (n, future) = (secs.unsigned_abs(), secs < 0);
    let (value, unit) = match n {
        0..=59 => return "just now".into(),
        60..=3599 => (n / 60, "minute"),
        3600..=86_399 => (n / 3600, "hour"),
        _ => (n / 86_400, "day"),
    };
    let plural = if value == 1 { "" } else { "s" };
    if future {
        format!("in {value} {unit}{plural}")
    } else {
        format!("{value} {unit}{plural} ago")
    }
}

/// "$98K", "$1.2K", "$640".
pub fn money(x: f64) -> String {
    if x.abs() >= 10_000.0 {
        format!("${:.0}K", x / 1000.0)
    } else if x.abs() >= 1000.0 {
        format!("${:.1}K", x / 1000.0)
    } else {
        format!("${x:.0}")
    }
}

/// A panel's error line (the panel stays; the page goes on).
pub fn panel_error(what: &'static str, e: AppError) -> AnyView {
    let text = match e {
        AppError::Forbidden(why) => format!("Not shown: {why}."),
        e => format!("Could not load {what}: {e}"),
    };
    view! { <p class="error" role="alert">{text}</p> }.into_any()
}

/// A line chart of `values` as an inline SVG (server-rendered: numbers
/// and shape are there before any script runs).
pub fn sparkline(values: &[f64], label: String) -> AnyView {
    let max = values.iter().cloned().fold(0.0_f64, f64::max).max(0.1);
    let step = if values.len() > 1 {
        100.0 / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, 28.0 - v / max * 26.0))
        .collect();
    view! {
        <svg class="sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label=label>
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="2"
                vector-effect="non-scaling-stroke"/>
        </svg>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc::now();
        let ago = |s: i64| relative(now, now - chrono::Duration::seconds(s));
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(120), "2 minutes ago");
        assert_eq!(ago(3600), "1 hour ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
        assert_eq!(ago(-2 * 86_400), "in 2 days");
    }

    #[test]
    fn money_is_short() {
        assert_eq!(money(98_000.0), "$98K");
        assert_eq!(money(1_200.0), "$1.2K");
        assert_eq!(money(640.4), "$640");
    }
}
