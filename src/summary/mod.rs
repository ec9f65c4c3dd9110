//! Grouping and statistics. Every summary is mergeable, so files can be summed in parallel
//! and the result does not depend on the thread count.

pub mod ancm;
pub mod capped;
pub mod collected;
pub mod config;
pub mod events;
pub mod httperr;
pub mod minutes;
pub mod pages;
pub mod php;
pub mod saved;
pub mod stdout;
pub mod tiers;
pub mod traces;
pub mod w3c;
pub mod window;

pub use collected::{Collected, FileOutcome};
