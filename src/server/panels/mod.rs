//! The queries behind the cockpit's panels, one file a panel. Each takes
//! the week's plan (see [`super::week::current_plan`]) and the moment `now`,
//! so tests can pin both.

pub mod agent_history;
pub mod agents;
pub mod deliverable_list;
pub mod deliverables;
pub mod feed;
pub mod funnel;
pub mod overview;
pub mod revenue;
pub mod songs;
