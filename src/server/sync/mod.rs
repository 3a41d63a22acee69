//! Importing files into the database: weekly plans (markdown), agent
//! snapshots, the song catalog and deliverables (JSON); the data lake.

pub mod catalog;
pub mod command;
pub mod demo;
pub mod files;
pub mod lake;
pub mod remote;
pub mod report;
pub mod retry;
pub mod status;
pub mod store;

pub use files::{plan_files, PlanSync};
pub use lake::Lake;
pub use report::{Counts, FileOutcome, FileResult, PlanReport, Summary};
