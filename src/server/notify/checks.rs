//! What no single change causes, found by looking: an action past its due
//! date, an agent whose heartbeat stopped. Each is told once (the
//! idempotency key names the action and its due date, the agent and its
//! last heartbeat); two instances checking at once enqueue it once.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

/// How far back an overdue action is still news: a new installation with
/// a year of history does not mail the year's misses.
const OVERDUE_HORIZON_DAYS: i64 = 7;

/// Enqueues the actions that became overdue and the agents that went
/// stale; returns how many causes were found (not how many rows written).
pub async fn run(
    db: &PgPool,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> Result<i64, sqlx::Error> {
    let overdue = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select notify_enqueue('action_overdue',
                   'overdue:' || a.id || ':' || a.due_date,
                   'Overdue: ' || a.action_code || ' ' || a.action_text,
                   coalesce(a.owner, 'Nobody') || '''s action ' || a.action_code || ' was due '
                       || to_char(a.due_date at time zone 'UTC', 'Dy DD Mon') || '.',
                   '/', null, a.owner)
               from rpm_action_items a
               where a.due_date < $1::timestamptz and a.due_date >= $1::timestamptz - make_interval(days => $2)
                 and a.status not in ('completed', 'cancelled', 'deferred')
           ) x"#,
        now as _,
        OVERDUE_HORIZON_DAYS as i32
    )
    .fetch_one(db)
    .await?;
    let stale = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select notify_enqueue('agent_health',
                   'stale:' || s.agent_name || ':' || s.last_heartbeat,
                   'Agent ' || s.agent_name || ' has gone quiet',
                   'No heartbeat from ' || s.agent_name || ' since '
                       || to_char(s.last_heartbeat at time zone 'UTC', 'Dy DD Mon HH24:MI') || ' UTC.',
                   '/agents/' || s.agent_name, null)
               from agent_status s
               where s.last_heartbeat < $1::timestamptz - make_interval(secs => $2)
                 and s.last_heartbeat >= $1::timestamptz - make_interval(days => $3)
                 and s.status <> 'offline'
           ) x"#,
        now as _,
        stale_after.num_seconds() as f64,
        OVERDUE_HORIZON_DAYS as i32
    )
    .fetch_one(db)
    .await?;
    let moved = bottleneck(db, now).await?;
    Ok(overdue + stale + i64::from(moved))
}

/// Enqueues the weekly digest of each recent plan whose digest time
/// (`at`: weekday and time, in the plan owner's time zone, else the
/// admin's, else UTC) has come in the last three days; once per ISO week
/// (the key names it). Returns the weeks enqueued now or before.
pub async fn digest_due(
    db: &PgPool,
    now: DateTime<Utc>,
    at: (chrono::Weekday, chrono::NaiveTime),
) -> Result<Vec<String>, sqlx::Error> {
    let (day, time) = at;
    let due = sqlx::query!(
        r#"select to_char(p.week_start_date, 'IYYY-"W"IW') as "week!",
                  p.week_start_date as "week_start!: chrono::NaiveDate"
           from (select p.week_start_date, coalesce(
                        (select s.time_zone from users u
                         join notification_settings s on s.user_id = u.id
                         where lower(u.owner_name) = lower(p.owner)
                            or lower(u.display_name) = lower(p.owner)
                         order by u.role = 'admin' desc limit 1),
                        (select s.time_zone from users u
                         join notification_settings s on s.user_id = u.id
                         where u.role = 'admin' limit 1),
                        'UTC') as tz
                 from rpm_weekly_plans p
                 where p.week_start_date <= ($1::timestamptz at time zone 'UTC')::date + 1
                 order by p.week_start_date desc limit 2) p
           cross join lateral (
               select ((date_trunc('week', p.week_start_date)::date + $2::int) + $3::time)
                      at time zone p.tz as due) d
           where d.due <= $1::timestamptz and d.due > $1::timestamptz - interval '3 days'"#,
        now as _,
        day.num_days_from_monday() as i32,
        time as _
    )
    .fetch_all(db)
    .await?;
    for d in &due {
        enqueue_digest(db, &d.week, d.week_start).await?;
    }
    Ok(due.into_iter().map(|r| r.week).collect())
}

/// Enqueues the digest of ISO week `week` (starting `week_start`) for
/// everyone who gets it; once per week, however often it is called (by the
/// schedule or by `report weekly --send`): the key is `digest:<week>`.
pub async fn enqueue_digest(
    db: &PgPool,
    week: &str,
    week_start: chrono::NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from (
               select notify_enqueue('weekly_digest', 'digest:' || $1::text,
                   'Weekly summary ' || $1::text,
                   'The summary of the week of ' || to_char($2::date, 'Dy DD Mon') || ' is ready.',
                   '/?week=' || $2::date, null)) x"#,
        week,
        week_start as _
    )
    .fetch_one(db)
    .await?;
    Ok(())
}

/// The ISO week a digest notification is about, from its key
/// (`digest:<week>:<person>:<channel>`).
pub fn digest_week(idempotency_key: &str) -> &str {
    idempotency_key.split(':').nth(1).unwrap_or_default()
}

/// The funnel's bottleneck (the stage of this week's plan with the highest
/// bottleneck score) is compared with the one last seen; a move is told
/// once. The first look only records it. Two instances looking at once:
/// the second finds the value already changed and tells nothing.
pub async fn bottleneck(db: &PgPool, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let current = sqlx::query!(
        r#"select f.funnel_stage as "stage!", f.bottleneck_score::float8 as "score!"
           from rpm_analytics.funnel_velocity_at($1) f
           where f.week_start = (
                     select p.week_start_date from rpm_weekly_plans p
                     where ($1::timestamptz at time zone 'UTC')::date
                           between p.week_start_date and p.week_end_date
                     order by p.week_start_date desc limit 1)
             and f.bottleneck_score > 0
           order by f.bottleneck_score desc, f.funnel_stage
           limit 1"#,
        now as _
    )
    .fetch_optional(db)
    .await?;
    let Some(current) = current else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    let change = sqlx::query!(
        r#"with old as (select value from notification_watch where name = 'bottleneck'),
                up as (
                    insert into notification_watch (name, value) values ('bottleneck', $1)
                    on conflict (name) do update
                    set value = excluded.value, version = notification_watch.version + 1,
                        updated_at = now()
                    where notification_watch.value <> excluded.value
                    returning version)
           select up.version as "version!", old.value as "was?" from up left join old on true"#,
        current.stage
    )
    .fetch_optional(&mut *tx)
    .await?;
    let told = match change {
        Some(c) => match c.was {
            Some(was) => {
                sqlx::query_scalar!(
                    r#"select count(*) as "n!" from (
                           select notify_enqueue('bottleneck_moved', 'bottleneck:' || $1::int,
                               'Funnel bottleneck moved: ' || $2::text || ' → ' || $3::text,
                               'Work now waits longest in the ' || $3::text
                                   || ' stage of the funnel (score ' || round($4::float8::numeric, 1)
                                   || '); it was the ' || $2::text || ' stage.',
                               '/', null)) x"#,
                    c.version,
                    was,
                    current.stage,
                    current.score
                )
                .fetch_one(&mut *tx)
                .await?;
                true
            }
            None => false,
        },
        None => false,
    };
    tx.commit().await?;
    Ok(told)
}
