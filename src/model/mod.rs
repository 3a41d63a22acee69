//! Types shared by the server and the browser.

pub mod action_change;
pub mod analytics;
pub mod chart;
pub mod kinds;
pub mod live;
pub mod notifications;
pub mod panels;
#[cfg(feature = "ssr")]
mod sql;
pub mod status;
pub mod sync;
pub mod user;
pub mod week;

pub use status::{ActionStatus, FunnelStage};
pub use user::{Me, Role};
pub use week::{ActionSummary, ResultProgress, WeekOverview};
