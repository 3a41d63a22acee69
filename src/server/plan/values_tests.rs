use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn dates_are_read_in_the_usual_written_forms() {
    let full = |y, m, d| WrittenDate {
        year: Some(y),
        month: m,
        day: d,
    };
    assert_eq!(parse_date("2025-10-27"), Ok(full(2025, 10, 27)));
    assert_eq!(parse_date("10/27/2025"), Ok(full(2025, 10, 27)));
    assert_eq!(parse_date("October 27, 2025"), Ok(full(2025, 10, 27)));
    assert_eq!(parse_date("27 Oct 2025"), Ok(full(2025, 10, 27)));
    assert_eq!(
        parse_date("Monday, October 28, 2025"),
        Ok(full(2025, 10, 28))
    );
    assert_eq!(parse_date("2025-10-27 17:00"), Ok(full(2025, 10, 27)));
    let short = parse_date("Oct 27").unwrap();
    assert_eq!((short.year, short.month, short.day), (None, 10, 27));
    assert_eq!(parse_date("Sept 3rd").unwrap().day, 3);
}

#[test]
fn impossible_or_unreadable_dates_are_refused() {
    for bad in [
        "Octember 5",
        "2025-02-30",
        "soon",
        "",
        "13/45/2025",
        "Feb 30",
    ] {
        assert!(parse_date(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(
        parse_date("soon").unwrap_err(),
        r#""soon" is not a date (write 2025-10-27 or Oct 27)"#
    );
}

#[test]
fn a_date_without_year_takes_the_year_nearest_the_week() {
    let jan2 = parse_date("Jan 2").unwrap();
    assert_eq!(jan2.resolve(ymd(2025, 12, 29)), Some(ymd(2026, 1, 2)));
    let dec30 = parse_date("Dec 30").unwrap();
    assert_eq!(dec30.resolve(ymd(2026, 1, 2)), Some(ymd(2025, 12, 30)));
    assert_eq!(
        parse_date("Oct 27").unwrap().resolve(ymd(2025, 10, 27)),
        Some(ymd(2025, 10, 27))
    );
}

#[test]
fn weeks_are_read_as_ranges_or_single_dates() {
    let (start, end) = parse_week("2025-10-27 to 2025-11-02").unwrap();
    assert_eq!(start.year, Some(2025));
    assert_eq!(end.unwrap().day, 2);
    let (start, end) = parse_week("Oct 27 – Nov 2, 2025").unwrap();
    assert_eq!((start.year, start.month, start.day), (Some(2025), 10, 27));
    assert_eq!(end.unwrap().month, 11);
    let (start, _) = parse_week("Oct 27-Nov 2").unwrap();
    assert_eq!(start.day, 27);
    let (start, end) = parse_week("Nov 16–22, 2026").unwrap();
    assert_eq!((start.month, start.day, start.year), (11, 16, Some(2026)));
    assert_eq!(end.unwrap().day, 22);
    assert!(parse_week("2025-10-27").unwrap().1.is_none());
    assert!(parse_week("next week").is_err());
}

#[test]
fn weeks_start_on_monday() {
    assert_eq!(monday_of(ymd(2026, 11, 22)), ymd(2026, 11, 16));
    assert_eq!(monday_of(ymd(2026, 11, 16)), ymd(2026, 11, 16));
}

#[test]
fn hours_are_read_with_or_without_units() {
    assert_eq!(parse_hours("2h"), Ok(2.0));
    assert_eq!(parse_hours("2 hours"), Ok(2.0));
    assert_eq!(parse_hours("1.5"), Ok(1.5));
    assert_eq!(parse_hours("30 minutes"), Ok(0.5));
    assert_eq!(parse_hours("45m"), Ok(0.75));
    assert_eq!(parse_hours("1h 30m"), Ok(1.5));
    assert_eq!(parse_hours("~3 hrs"), Ok(3.0));
    assert_eq!(parse_hours("1 day"), Ok(8.0));
}

#[test]
fn non_numeric_hours_are_refused() {
    for bad in ["lots", "", "2 weeks", "h", "1..5", "-2"] {
        assert!(parse_hours(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(
        parse_hours("lots").unwrap_err(),
        r#""lots" is not a number of hours (write 2h, 1.5 or 30 minutes)"#
    );
}

#[test]
fn money_is_read_with_symbols_separators_and_k() {
    assert_eq!(parse_money("$5,000"), Ok(5000.0));
    assert_eq!(parse_money("1.2k"), Ok(1200.0));
    assert_eq!(parse_money("2500 USD"), Ok(2500.0));
    assert!(parse_money("a lot").is_err());
    assert!(parse_money("-5").is_err());
}

#[test]
fn funnel_stages_accept_common_names() {
    assert_eq!(parse_stage("Top"), Ok(FunnelStage::Top));
    assert_eq!(parse_stage("MOFU"), Ok(FunnelStage::Middle));
    assert_eq!(parse_stage("bottom of funnel"), Ok(FunnelStage::Bottom));
    assert_eq!(
        parse_stage("sideways").unwrap_err(),
        r#"unknown funnel stage "sideways" (top, middle or bottom)"#
    );
}

#[test]
fn statuses_accept_common_names() {
    assert_eq!(parse_status("In Progress"), Ok(ActionStatus::InProgress));
    assert_eq!(parse_status("in_progress"), Ok(ActionStatus::InProgress));
    assert_eq!(parse_status("✅ Done"), Ok(ActionStatus::Completed));
    assert_eq!(parse_status("TODO"), Ok(ActionStatus::Pending));
    assert_eq!(parse_status("blocked"), Ok(ActionStatus::Blocked));
    assert!(parse_status("maybe").is_err());
}

#[test]
fn codes_are_told_apart_from_prose() {
    assert!(is_action_code("CLOUD-001a"));
    assert!(is_action_code("ARCH-BOOT-001a"));
    assert!(!is_action_code("R1"));
    assert!(!is_action_code("Risk"));
    assert!(!is_action_code("ALL"));
    assert!(is_result_code("R12"));
    assert!(!is_action_code("Q4"), "a code has a dash");
    assert!(is_explicit_id("dcf64c") && is_explicit_id("task_1"));
    assert!(!is_explicit_id("two words"));
}

#[test]
fn iso_week_labels_are_read_and_moved() {
    assert_eq!(
        iso_week_in("RPM Weekly Plan – 2026-W47"),
        Some(ymd(2026, 11, 16))
    );
    assert_eq!(iso_week_in("2025-W53"), None, "2025 has 52 ISO weeks");
    assert_eq!(iso_week_in("2026-W53"), Some(ymd(2026, 12, 28)));
    let (start, end) = parse_week("2025-W44").unwrap();
    assert_eq!((start.month, start.day, end.unwrap().day), (10, 27, 2));
    assert_eq!(
        shift_week_labels("gs://rpm-evidence/2026-W47/A-1.md", 2),
        "gs://rpm-evidence/2026-W49/A-1.md"
    );
    assert_eq!(
        shift_week_labels("2026-W52 and 2026-W01", 1),
        "2026-W53 and 2026-W02"
    );
    assert_eq!(shift_week_labels("x2026-W47", 1), "x2026-W47");
}

#[test]
fn the_statuses_of_other_tools_are_read() {
    for (text, want) in [
        ("Not started", ActionStatus::Pending),
        ("In progress", ActionStatus::InProgress),
        ("Done", ActionStatus::Completed),
        ("LATER", ActionStatus::Pending),
        ("NOW", ActionStatus::InProgress),
        ("WAITING", ActionStatus::Blocked),
        ("Canceled", ActionStatus::Cancelled),
        ("won't do", ActionStatus::Cancelled),
        ("Deferred", ActionStatus::Deferred),
        ("rescheduled", ActionStatus::Deferred),
    ] {
        assert_eq!(parse_status(text), Ok(want), "{text}");
    }
}

#[test]
fn priorities_hours_and_yes_no_cells() {
    assert_eq!(parse_priority("highest"), Ok(1));
    assert_eq!(parse_priority("P2"), Ok(2));
    assert_eq!(parse_priority("B"), Ok(3));
    assert!(parse_priority("soon").is_err());
    assert_eq!(parse_hours("1:30"), Ok(1.5));
    assert_eq!(parse_hours("2 hrs"), Ok(2.0));
    assert_eq!(parse_hours("90m"), Ok(1.5));
    assert_eq!(parse_hours("6hr7min"), Ok(6.12));
    assert_eq!(parse_bool("Yes"), Some(true));
    assert_eq!(parse_bool("No"), Some(false));
    assert_eq!(parse_bool("soon"), None);
    assert_eq!(clean("[[Jesse]]"), "Jesse");
    assert_eq!(clean("[[people/Jesse|Jesse C]]"), "Jesse C");
    assert_eq!(parse_date("<2025-11-05 Wed 10:00 .+1d>").unwrap().day, 5);
}

#[test]
fn dependencies_keep_only_action_codes() {
    assert_eq!(
        parse_dependencies("CLOUD-001a, CLOUD-001b, CLOUD-001c complete"),
        vec!["CLOUD-001a", "CLOUD-001b", "CLOUD-001c"]
    );
    assert!(parse_dependencies("None (start immediately)").is_empty());
    assert!(parse_dependencies("ALL Phase 1 Day 1 tasks complete").is_empty());
}
