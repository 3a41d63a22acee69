//! The warehouse export: each analytics snapshot as a Parquet file with its
//! BigQuery schema next to it, in the data lake under
//! `analytics/exports/YYYY/MM/` (docs/warehouse-export.md has the `bq load`
//! commands).
//!
//! Column types follow PostgreSQL's: date → DATE (INT32), text → STRING,
//! bigint → INT64, double → DOUBLE, numeric → DECIMAL(18,2) in an INT64
//! (BigQuery NUMERIC). Every column is nullable.

use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::{DateTime, Datelike, Utc};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::analytics::TABLES;
use super::sync::lake::Lake;

/// A column's type, as exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Date,
    Text,
    Integer,
    Float,
    Numeric,
}

impl Kind {
    fn of(pg_type: &str) -> anyhow::Result<Self> {
        Ok(match pg_type {
            "date" => Self::Date,
            "text" | "character varying" => Self::Text,
            "bigint" | "integer" => Self::Integer,
            "double precision" => Self::Float,
            "numeric" => Self::Numeric,
            other => bail!("no export type for PostgreSQL type {other:?}"),
        })
    }

    /// The column as read for export.
    fn select(self, column: &str) -> String {
        let c = format!("\"{column}\"");
        match self {
            Self::Date => format!("({c} - date '1970-01-01')::int4"),
            Self::Integer => format!("{c}::int8"),
            Self::Numeric => format!("round({c} * 100)::int8"),
            Self::Text | Self::Float => c,
        }
    }

    fn parquet(self, column: &str) -> String {
        match self {
            Self::Date => format!("optional int32 {column} (DATE);"),
            Self::Text => format!("optional binary {column} (UTF8);"),
            Self::Integer => format!("optional int64 {column};"),
            Self::Float => format!("optional double {column};"),
            Self::Numeric => format!("optional int64 {column} (DECIMAL(18,2));"),
        }
    }

    fn bigquery(self) -> &'static str {
        match self {
            Self::Date => "DATE",
            Self::Text => "STRING",
            Self::Integer => "INTEGER",
            Self::Float => "FLOAT",
            Self::Numeric => "NUMERIC",
        }
    }
}

/// A field of a BigQuery schema file.
#[derive(Debug, Serialize)]
pub struct BigQueryField {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub mode: &'static str,
}

/// The columns of `rpm_analytics.<table>`, in order.
pub async fn columns(db: &PgPool, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
    let rows = sqlx::query!(
        r#"select a.attname::text as "name!", format_type(a.atttypid, null) as "kind!"
           from pg_attribute a
           where a.attrelid = ('rpm_analytics.' || quote_ident($1))::regclass
             and a.attnum > 0 and not a.attisdropped
           order by a.attnum"#,
        table
    )
    .fetch_all(db)
    .await
    .with_context(|| format!("reading the columns of rpm_analytics.{table}"))?;
    rows.into_iter()
        .map(|r| Ok((r.name, Kind::of(&r.kind)?)))
        .collect()
}

/// One table as Parquet bytes; with how many rows.
pub async fn parquet_of(db: &PgPool, table: &str) -> anyhow::Result<(Vec<u8>, usize)> {
    let cols = columns(db, table).await?;
    let select: Vec<String> = cols.iter().map(|(n, k)| k.select(n)).collect();
    let rows: Vec<PgRow> = sqlx::query(&format!(
        "select {} from rpm_analytics.{table}",
        select.join(", ")
    ))
    .fetch_all(db)
    .await?;
    let message = format!(
        "message {table} {{ {} }}",
        cols.iter()
            .map(|(n, k)| k.parquet(n))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let schema = Arc::new(parse_message_type(&message)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_created_by("rpm-cockpit".into())
            .build(),
    );
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, props)?;
    let mut group = writer.next_row_group()?;
    let mut index = 0;
    while let Some(mut column) = group.next_column()? {
        let kind = cols[index].1;
        match kind {
            Kind::Date => {
                let (values, levels) = gather::<i32>(&rows, index)?;
                column
                    .typed::<Int32Type>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Kind::Integer | Kind::Numeric => {
                let (values, levels) = gather::<i64>(&rows, index)?;
                column
                    .typed::<Int64Type>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Kind::Float => {
                let (values, levels) = gather::<f64>(&rows, index)?;
                column
                    .typed::<DoubleType>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Kind::Text => {
                let (values, levels) = gather::<String>(&rows, index)?;
                let values: Vec<ByteArray> =
                    values.into_iter().map(|s| s.into_bytes().into()).collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, Some(&levels), None)?;
            }
        }
        column.close()?;
        index += 1;
    }
    group.close()?;
    writer.close()?;
    Ok((out, rows.len()))
}

/// The non-null values of column `index` and every row's definition level.
fn gather<T>(rows: &[PgRow], index: usize) -> anyhow::Result<(Vec<T>, Vec<i16>)>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    let mut values = Vec::with_capacity(rows.len());
    let mut levels = Vec::with_capacity(rows.len());
    for row in rows {
        match row.try_get::<Option<T>, _>(index)? {
            Some(v) => {
                values.push(v);
                levels.push(1);
            }
            None => levels.push(0),
        }
    }
    Ok((values, levels))
}

/// The BigQuery schema of `rpm_analytics.<table>`, as `bq load` takes it.
pub async fn bigquery_schema(db: &PgPool, table: &str) -> anyhow::Result<Vec<BigQueryField>> {
    Ok(columns(db, table)
        .await?
        .into_iter()
        .map(|(name, kind)| BigQueryField {
            name,
            kind: kind.bigquery(),
            mode: "NULLABLE",
        })
        .collect())
}

/// What one export wrote.
#[derive(Debug)]
pub struct Exported {
    pub table: &'static str,
    pub parquet: String,
    pub schema: String,
    pub rows: usize,
}

/// Where the export of `at` goes: `analytics/exports/YYYY/MM/`.
pub fn export_dir(at: DateTime<Utc>) -> String {
    format!("analytics/exports/{:04}/{:02}", at.year(), at.month())
}

/// Writes every table (as last refreshed) and its schema to the lake.
pub async fn export(db: &PgPool, lake: &Lake, at: DateTime<Utc>) -> anyhow::Result<Vec<Exported>> {
    let dir = export_dir(at);
    let day = at.format("%Y-%m-%d");
    let mut done = Vec::new();
    for table in TABLES {
        let (bytes, rows) = parquet_of(db, table).await?;
        let parquet = format!("{dir}/{table}-{day}.parquet");
        lake.put_if_changed(&parquet, bytes).await?;
        let schema = format!("{dir}/{table}.schema.json");
        let fields = bigquery_schema(db, table).await?;
        lake.put_if_changed(&schema, serde_json::to_vec_pretty(&fields)?)
            .await?;
        done.push(Exported {
            table,
            parquet,
            schema,
            rows,
        });
    }
    Ok(done)
}
