//! The cockpit's panels: each loads its own data and shows its own loading
//! and error state, so one failing query never blanks the page.

pub mod agents;
pub mod common;
pub mod deliverables;
pub mod feed;
pub mod funnel;
pub mod overview;
pub mod revenue;
