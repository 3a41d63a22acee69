//! Types shared by the server and the browser.

pub mod status;
pub mod week;

pub use status::{ActionStatus, FunnelStage};
pub use week::{ActionSummary, ResultProgress, WeekOverview};
