//! Notifications (issue 20, docs/notifications.md): rules chosen per person
//! and channel, an outbox written by database triggers in the transaction
//! of the change that causes each notification, periodic checks for what no
//! change causes (overdue, stale), and the delivery worker.

pub mod checks;
pub mod email;
pub mod outbox;
pub mod prefs;
pub mod push;
pub mod target;
pub mod unsubscribe;
pub mod webhook;
pub mod worker;

pub use worker::{spawn, Pass, Worker};
