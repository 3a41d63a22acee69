//! Writing one parsed plan into the database: batch upserts keyed by week
//! start, result code and action code, each guarded by `is distinct from`
//! so that unchanged rows are not written at all.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::report::{Counts, PlanReport};
use crate::model::live::EventKind;
use crate::server::plan::{ActionDoc, Diagnostic, PlanDoc};

/// Why a plan was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The plan contradicts the database (its week belongs to another
    /// file): reported like parse errors.
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Plan(Vec<Diagnostic>),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("data lake: {0:#} (the plan is imported; the next sync archives it)")]
    Lake(anyhow::Error),
}

/// Where a plan was read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// Absolute path of the file.
    pub path: String,
    /// See [`super::files::content_hash`].
    pub hash: String,
}

/// Inserts or updates the plan, its results and actions, and removes the
/// results and actions the file no longer has. Runs inside the caller's
/// transaction; appends a PLAN_IMPORTED event when anything changed.
pub async fn store_plan(
    tx: &mut PgConnection,
    plan: &PlanDoc,
    source: &Source,
) -> Result<PlanReport, StoreError> {
    // One import at a time: carry links span weeks, so two imports of
    // neighbouring weeks must not each miss the other's rows.
    sqlx::query!("select pg_advisory_xact_lock(7172002)")
        .execute(&mut *tx)
        .await?;
    check_week_is_ours(tx, plan, source).await?;
    let (plan_id, plans) = upsert_plan(tx, plan, source).await?;

    // The file now plans another week than it did: the week it planned
    // before is written nowhere any more, so it goes with its results and
    // actions (their codes are relinked below).
    let moved: Vec<String> = sqlx::query_scalar!(
        "with gone as (delete from rpm_weekly_plans where source_path = $1 and id <> $2 returning id)
         select a.action_code from rpm_action_items a where a.weekly_plan_id in (select id from gone)",
        &source.path,
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;

    let mut actions = Counts::default();
    let codes: Vec<&str> = plan.actions().map(|a| a.code.as_str()).collect();
    let mut removed: Vec<String> = sqlx::query_scalar!(
        "delete from rpm_action_items
         where weekly_plan_id = $1 and action_code <> all($2)
         returning action_code",
        plan_id,
        &codes as _
    )
    .fetch_all(&mut *tx)
    .await?;
    removed.extend(moved);
    actions.removed = removed.len() as u64;

    let mut results = upsert_results(tx, plan, plan_id).await?;
    let result_ids: Vec<(uuid::Uuid, String)> = sqlx::query!(
        "select id, result_code from rpm_results where weekly_plan_id = $1",
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.result_code))
    .collect();
    let (a_ins, a_upd) = upsert_actions(tx, plan, plan_id, &result_ids).await?;
    actions.inserted = a_ins;
    actions.updated = a_upd;
    actions.unchanged = codes.len() as u64 - a_ins - a_upd;
    // Only now: an action may have moved from a result the file dropped.
    let result_codes: Vec<&str> = plan.results.iter().map(|r| r.code.as_str()).collect();
    results.removed = sqlx::query!(
        "delete from rpm_results where weekly_plan_id = $1 and result_code <> all($2)",
        plan_id,
        &result_codes as _
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();

    let report = PlanReport {
        week_start: plan.week_start,
        plans,
        results,
        actions,
    };
    if actions.inserted + actions.removed > 0 {
        let mut touched: Vec<&str> = codes.clone();
        touched.extend(removed.iter().map(String::as_str));
        link_carried(tx, &touched).await?;
    }
    if report.changed() {
        refresh_completion_rate(tx, plan_id).await?;
        sqlx::query!(
            "insert into events (event_type, entity_id, payload) values ($1, $2, $3)",
            EventKind::PlanImported as _,
            plan_id,
            json!({
                "week_start": plan.week_start,
                "file": source.path,
                "results": report.results,
                "actions": report.actions,
            })
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(report)
}

/// Two files must not both claim one week: the second would silently
/// overwrite the first. A file that no longer exists gives its week up.
async fn check_week_is_ours(
    tx: &mut PgConnection,
    plan: &PlanDoc,
    source: &Source,
) -> Result<(), StoreError> {
    let owner: Option<Option<String>> = sqlx::query_scalar!(
        "select source_path from rpm_weekly_plans where week_start_date = $1",
        plan.week_start as _
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(Some(other)) = owner {
        if other != source.path && std::path::Path::new(&other).exists() {
            return Err(StoreError::Plan(vec![Diagnostic::new(
                1,
                format!(
                    "the week of {} is already planned in {other}",
                    plan.week_start
                ),
            )]));
        }
    }
    Ok(())
}

async fn upsert_plan(
    tx: &mut PgConnection,
    plan: &PlanDoc,
    source: &Source,
) -> Result<(uuid::Uuid, Counts), StoreError> {
    let metadata = json!({ "title": plan.title });
    let written = sqlx::query!(
        r#"insert into rpm_weekly_plans as p
             (week_start_date, week_end_date, status, classification, owner, version,
              metadata, source_path, source_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (week_start_date) do update set
             week_end_date = excluded.week_end_date, status = excluded.status,
             classification = excluded.classification, owner = excluded.owner,
             version = excluded.version, metadata = excluded.metadata,
             source_path = excluded.source_path, source_hash = excluded.source_hash
         where (p.week_end_date, p.status, p.classification, p.owner, p.version,
                p.metadata, p.source_path, p.source_hash)
               is distinct from
               (excluded.week_end_date, excluded.status, excluded.classification,
                excluded.owner, excluded.version, excluded.metadata,
                excluded.source_path, excluded.source_hash)
         returning id, (xmax = 0) as "inserted!""#,
        plan.week_start as _,
        plan.week_end as _,
        &plan.status,
        plan.classification.as_deref(),
        &plan.owner,
        plan.version.as_deref(),
        &metadata,
        &source.path,
        &source.hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|w| (w.id, w.inserted));
    let mut counts = Counts::default();
    let id = match written {
        Some((id, true)) => {
            counts.inserted = 1;
            id
        }
        Some((id, false)) => {
            counts.updated = 1;
            id
        }
        None => {
            counts.unchanged = 1;
            sqlx::query_scalar!(
                "select id from rpm_weekly_plans where week_start_date = $1",
                plan.week_start as _
            )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    Ok((id, counts))
}

/// Links every week's instance of these action codes to the instance of
/// the week before it (carry-over): the link follows from the weeks alone,
/// so importing them in any order gives the same links.
async fn link_carried(tx: &mut PgConnection, codes: &[&str]) -> Result<(), sqlx::Error> {
    // Most codes live in one week: then there is nothing to link, and the
    // update below (which reads every action) is not worth its cost.
    let linked = sqlx::query_scalar!(
        r#"select exists (
               select 1 from unnest($1::text[]) c(code)
               cross join lateral (
                   select count(*) as n, bool_or(a.carried_from_id is not null) as linked
                   from rpm_action_items a where a.action_code = c.code) i
               where i.n > 1 or i.linked) as "linked!""#,
        codes as _
    )
    .fetch_one(&mut *tx)
    .await?;
    if !linked {
        return Ok(());
    }
    // The links as they should be, and the rows whose link differs.
    // Code by code (an index probe each): `action_code = any($1)` is
    // planned as a scan of every action while a bulk import runs ahead of
    // the table's statistics.
    let wrong = sqlx::query!(
        r#"select id as "id!", previous from (
             select a.id, a.carried_from_id,
                    lag(a.id) over (partition by a.action_code order by p.week_start_date)
                        as previous
             from unnest($1::text[]) c(code)
             cross join lateral (
                 select i.id, i.carried_from_id, i.action_code, i.weekly_plan_id
                 from rpm_action_items i where i.action_code = c.code) a
             join rpm_weekly_plans p on p.id = a.weekly_plan_id) chain
         where carried_from_id is distinct from previous"#,
        codes as _
    )
    .fetch_all(&mut *tx)
    .await?;
    // A few rows per plan, each by its primary key (a join with the table
    // is planned as a scan of it while statistics lag a bulk import).
    for row in wrong {
        sqlx::query!(
            "update rpm_action_items set carried_from_id = $2 where id = $1",
            row.id,
            row.previous
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn upsert_results(
    tx: &mut PgConnection,
    plan: &PlanDoc,
    plan_id: uuid::Uuid,
) -> Result<Counts, StoreError> {
    let rs = &plan.results;
    let codes: Vec<&str> = rs.iter().map(|r| r.code.as_str()).collect();
    let titles: Vec<&str> = rs.iter().map(|r| r.title.as_str()).collect();
    let purposes: Vec<&str> = rs.iter().map(|r| r.purpose.as_str()).collect();
    let priorities: Vec<i32> = rs.iter().map(|r| r.priority).collect();
    let categories: Vec<Option<&str>> = rs.iter().map(|r| r.category.as_deref()).collect();
    let statuses: Vec<&str> = rs.iter().map(|r| r.status.as_str()).collect();
    let revenues: Vec<Option<f64>> = rs.iter().map(|r| r.revenue_target).collect();
    // Arrays are bound `as _`: their element types are the casts' below.
    let rows: Vec<bool> = sqlx::query_scalar!(
        r#"insert into rpm_results as r
             (weekly_plan_id, result_code, result_text, purpose, priority, category,
              status, revenue_target)
         select $1, u.code, u.title, u.purpose, u.priority, u.category, u.status,
                u.revenue::numeric(12,2)
         from unnest($2::text[], $3::text[], $4::text[], $5::int4[], $6::text[],
                     $7::text[], $8::float8[])
              as u(code, title, purpose, priority, category, status, revenue)
         on conflict (weekly_plan_id, result_code) do update set
             result_text = excluded.result_text, purpose = excluded.purpose,
             priority = excluded.priority, category = excluded.category,
             status = excluded.status, revenue_target = excluded.revenue_target
         where (r.result_text, r.purpose, r.priority, r.category, r.status, r.revenue_target)
               is distinct from
               (excluded.result_text, excluded.purpose, excluded.priority,
                excluded.category, excluded.status, excluded.revenue_target)
         returning (xmax = 0) as "inserted!""#,
        plan_id,
        &codes as _,
        &titles as _,
        &purposes as _,
        &priorities as _,
        &categories as _,
        &statuses as _,
        &revenues as _
    )
    .fetch_all(&mut *tx)
    .await?;
    let inserted = rows.iter().filter(|i| **i).count() as u64;
    let updated = rows.len() as u64 - inserted;
    Ok(Counts {
        inserted,
        updated,
        unchanged: codes.len() as u64 - inserted - updated,
        removed: 0,
    })
}

/// The live fields as the file states them (see the migration's comment).
fn source_state(a: &ActionDoc) -> serde_json::Value {
    json!({
        "status": a.status.as_str(),
        "actual_hours": a.actual_hours,
        "blocker": a.blocker,
        "evidence": a.evidence,
        "completed_at": a.completed_at,
    })
}

/// Inserted and updated counts.
async fn upsert_actions(
    tx: &mut PgConnection,
    plan: &PlanDoc,
    plan_id: uuid::Uuid,
    result_ids: &[(uuid::Uuid, String)],
) -> Result<(u64, u64), StoreError> {
    let actions: Vec<&ActionDoc> = plan.actions().collect();
    let result_of = |a: &ActionDoc| {
        result_ids
            .iter()
            .find(|(_, code)| *code == a.result_code)
            .map(|(id, _)| *id)
    };
    let col =
        |f: fn(&ActionDoc) -> Option<String>| actions.iter().map(|a| f(a)).collect::<Vec<_>>();
    let due: Vec<Option<DateTime<Utc>>> = actions.iter().map(|a| a.due).collect();
    let done: Vec<Option<DateTime<Utc>>> = actions.iter().map(|a| a.completed_at).collect();
    let results: Vec<Option<uuid::Uuid>> = actions.iter().map(|a| result_of(a)).collect();
    let codes = col(|a| Some(a.code.clone()));
    let texts = col(|a| Some(a.text.clone()));
    let owners = col(|a| a.owner.clone());
    let stages = col(|a| Some(a.stage.as_str().to_string()));
    let statuses = col(|a| Some(a.status.as_str().to_string()));
    let estimated: Vec<Option<f64>> = actions.iter().map(|a| a.estimated_hours).collect();
    let actual: Vec<Option<f64>> = actions.iter().map(|a| a.actual_hours).collect();
    let dependencies = col(|a| Some(json!(a.dependencies).to_string()));
    let blockers = col(|a| a.blocker.clone());
    let verifications = col(|a| a.verification.clone());
    let evidence = col(|a| a.evidence.clone());
    let states = col(|a| Some(source_state(a).to_string()));
    let priorities: Vec<Option<i16>> = actions.iter().map(|a| a.priority).collect();
    let scheduled: Vec<Option<chrono::NaiveDate>> = actions.iter().map(|a| a.scheduled).collect();
    let starts: Vec<Option<chrono::NaiveDate>> = actions.iter().map(|a| a.start).collect();
    // Live fields keep the cockpit's values while the file's statement of them
    // is the one last imported (`source_state` unchanged); otherwise the file
    // wins. A completion without a written date is stamped once, at import.
    let rows: Vec<bool> = sqlx::query_scalar!(
        r#"
           insert into rpm_action_items as a
               (result_id, action_code, action_text, owner, due_date, funnel_stage, status,
                completion_date, estimated_hours, actual_hours, dependencies, blocker_description,
                verification_criteria, evidence_path, source_state, priority, scheduled_date, start_date,
                weekly_plan_id)
           select u.result_id, u.code, u.text, u.owner, u.due, u.stage, u.status,
                  case when u.status = 'completed' then coalesce(u.done, now()) end,
                  u.est::numeric(5,2), u.act::numeric(5,2), u.deps::jsonb, u.blocker,
                  u.verification, u.evidence, u.state::jsonb, u.priority, u.scheduled, u.start, $19
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                       $6::text[], $7::text[], $8::timestamptz[], $9::float8[], $10::float8[],
                       $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                       $16::int2[], $17::date[], $18::date[])
                as u(result_id, code, text, owner, due, stage, status, done, est, act, deps,
                     blocker, verification, evidence, state, priority, scheduled, start)
           -- weekly_plan_id is the result's plan (a trigger checks it for other writers).
           on conflict (weekly_plan_id, action_code) do update set
               result_id = excluded.result_id, action_text = excluded.action_text,
               owner = excluded.owner, due_date = excluded.due_date,
               funnel_stage = excluded.funnel_stage, estimated_hours = excluded.estimated_hours,
               dependencies = excluded.dependencies,
               verification_criteria = excluded.verification_criteria,
               priority = excluded.priority, scheduled_date = excluded.scheduled_date,
               start_date = excluded.start_date,
               status = case when a.source_state is not distinct from excluded.source_state
                             then a.status else excluded.status end,
               actual_hours = case when a.source_state is not distinct from excluded.source_state
                                   then a.actual_hours else excluded.actual_hours end,
               blocker_description = case when a.source_state is not distinct from excluded.source_state
                                          then a.blocker_description else excluded.blocker_description end,
               evidence_path = case when a.source_state is not distinct from excluded.source_state
                                    then a.evidence_path else excluded.evidence_path end,
               completion_date = case
                   when a.source_state is not distinct from excluded.source_state then a.completion_date
                   when excluded.status <> 'completed' then null
                   when excluded.source_state->>'completed_at' is not null then excluded.completion_date
                   else coalesce(a.completion_date, excluded.completion_date) end,
               source_state = excluded.source_state
           where (a.result_id, a.action_text, a.owner, a.due_date, a.funnel_stage, a.estimated_hours,
                  a.dependencies, a.verification_criteria, a.source_state, a.priority,
                  a.scheduled_date, a.start_date)
                 is distinct from
                 (excluded.result_id, excluded.action_text, excluded.owner, excluded.due_date,
                  excluded.funnel_stage, excluded.estimated_hours, excluded.dependencies,
                  excluded.verification_criteria, excluded.source_state, excluded.priority,
                  excluded.scheduled_date, excluded.start_date)
           returning (xmax = 0) as "inserted!""#,
        &results as _,
        &codes as _,
        &texts as _,
        &owners as _,
        &due as _,
        &stages as _,
        &statuses as _,
        &done as _,
        &estimated as _,
        &actual as _,
        &dependencies as _,
        &blockers as _,
        &verifications as _,
        &evidence as _,
        &states as _,
        &priorities as _,
        &scheduled as _,
        &starts as _,
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let inserted = rows.iter().filter(|i| **i).count() as u64;
    Ok((inserted, rows.len() as u64 - inserted))
}

async fn refresh_completion_rate(
    tx: &mut PgConnection,
    plan_id: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update rpm_weekly_plans p set completion_rate = c.rate
         from (select round(100.0 * count(*) filter (where a.status = 'completed')
                            / greatest(count(*) filter (where a.status <> 'cancelled'), 1), 2)
                          as rate
               from rpm_action_items a join rpm_results r on r.id = a.result_id
               where r.weekly_plan_id = $1) c
         where p.id = $1 and p.completion_rate is distinct from c.rate",
        plan_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
