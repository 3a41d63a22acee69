//! Server-function signatures shared with the browser. Bodies are thin:
//! check the caller, call one `server::` function, return a shared type.

pub mod actions;
pub mod client;
pub mod me;
pub mod notifications;
pub mod panels;
pub mod sync;
pub mod week;
