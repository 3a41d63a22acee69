//! Live updates: the events table fanned out to browsers.

pub mod access;
pub mod hub;
pub mod sse;

pub use hub::Hub;
