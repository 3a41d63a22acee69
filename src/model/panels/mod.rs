//! What the cockpit's panels show: one type per panel, filled by a server
//! function and rendered by the panel's component. One file per panel;
//! everything is re-exported here.

mod agents;
mod deliverables;
mod feed;
mod funnel;
mod overview;
mod revenue;
mod songs;

pub use agents::*;
pub use deliverables::*;
pub use feed::*;
pub use funnel::*;
pub use overview::*;
pub use revenue::*;
pub use songs::*;
