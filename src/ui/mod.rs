//! Components: one per file.

pub mod agent_page;
pub mod base;
pub mod chart;
pub mod defer;
pub mod deliverables_page;
pub mod live;
#[cfg(feature = "hydrate")]
pub mod live_client;
pub mod notifications_page;
pub mod panels;
pub mod progress_bar;
pub mod result_card;
pub mod songs_page;
pub mod sync_page;
pub mod user_menu;
pub mod week_page;
