//! `rpm-cockpit analytics export`: every snapshot as Parquet in the lake,
//! read back and compared with the table.

use bytes::Bytes;
use chrono::Utc;
use parquet::basic::{ConvertedType, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use rpm_cockpit::server::analytics::{refresh, TABLES};
use rpm_cockpit::server::export::{export, export_dir};
use rpm_cockpit::server::sync::lake::Lake;
use serde_json::Value;

use crate::helpers::{today, TestApp};

#[tokio::test]
async fn every_analytics_table_reads_back_from_parquet_with_its_rows_and_types() {
    let app = TestApp::with_demo(today()).await;
    refresh(&app.db).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open("", dir.path()).unwrap();
    let now = Utc::now();
    let written = export(&app.db, &lake, now).await.unwrap();
    assert_eq!(written.len(), TABLES.len());
    for e in &written {
        assert!(e.parquet.starts_with(&export_dir(now)), "{}", e.parquet);
        let bytes = Bytes::from(lake.get(&e.parquet).await.unwrap());
        let reader = SerializedFileReader::new(bytes).unwrap();
        let rows = reader.metadata().file_metadata().num_rows();
        let in_db: i64 =
            sqlx::query_scalar(&format!("select count(*) from rpm_analytics.{}", e.table))
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(rows, in_db, "{}", e.table);
        assert!(rows > 0, "{} exported no rows", e.table);
        let schema: Vec<Value> =
            serde_json::from_slice(&lake.get(&e.schema).await.unwrap()).unwrap();
        let columns = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns();
        assert_eq!(schema.len(), columns, "{}", e.table);
        assert!(schema.iter().all(|f| f["mode"] == "NULLABLE"));
    }

    // One table in detail: revenue_correlation, row for row.
    let e = written
        .iter()
        .find(|e| e.table == "revenue_correlation")
        .unwrap();
    let reader =
        SerializedFileReader::new(Bytes::from(lake.get(&e.parquet).await.unwrap())).unwrap();
    let descr = reader.metadata().file_metadata().schema_descr_ptr();
    let column = |name: &str| {
        descr
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .unwrap()
            .clone()
    };
    assert_eq!(column("week_start").converted_type(), ConvertedType::DATE);
    assert_eq!(column("result_text").converted_type(), ConvertedType::UTF8);
    assert_eq!(
        column("action_items_total").physical_type(),
        Physical::INT64
    );
    assert_eq!(column("completion_rate").physical_type(), Physical::DOUBLE);
    assert_eq!(
        column("revenue_target").converted_type(),
        ConvertedType::DECIMAL
    );
    assert_eq!(
        (
            column("revenue_target").type_precision(),
            column("revenue_target").type_scale()
        ),
        (18, 2)
    );
    let schema: Vec<Value> = serde_json::from_slice(&lake.get(&e.schema).await.unwrap()).unwrap();
    let kinds: Vec<(&str, &str)> = schema
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["type"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("week_start", "DATE")));
    assert!(kinds.contains(&("revenue_actual", "NUMERIC")));
    assert!(kinds.contains(&("profit_margin", "FLOAT")));

    type Expected = (String, String, i64, Option<f64>, i64);
    let expected: Vec<Expected> = sqlx::query_as(
        "select result_id, week_start::text, action_items_total, completion_rate,
                (revenue_target * 100)::int8
         from rpm_analytics.revenue_correlation",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut seen = 0;
    for row in reader.get_row_iter(None).unwrap() {
        let row = row.unwrap();
        let field = |name: &str| {
            row.get_column_iter()
                .find(|(n, _)| n.as_str() == name)
                .unwrap()
                .1
                .clone()
        };
        let Field::Str(id) = field("result_id") else {
            panic!("result_id")
        };
        let want = expected
            .iter()
            .find(|x| x.0 == id)
            .expect("an exported row is in the table");
        let Field::Date(days) = field("week_start") else {
            panic!("week_start")
        };
        let date =
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days as u64);
        assert_eq!(date.to_string(), want.1);
        assert_eq!(field("action_items_total"), Field::Long(want.2));
        match (field("completion_rate"), want.3) {
            (Field::Double(got), Some(w)) => assert_eq!(got, w),
            (Field::Null, None) => {}
            other => panic!("completion_rate: {other:?}"),
        }
        let Field::Decimal(d) = field("revenue_target") else {
            panic!("revenue_target")
        };
        let cents = i64::from_be_bytes(d.data().try_into().unwrap());
        assert_eq!(cents, want.4);
        seen += 1;
    }
    assert_eq!(seen, expected.len());

    // A second export the same day changes nothing that did not change.
    let again = export(&app.db, &lake, now).await.unwrap();
    assert_eq!(again.len(), written.len());
}
