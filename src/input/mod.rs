//! Finding log files and reading them: one parser per format, each file's kind told by
//! its content, not its name.

pub mod archive;
#[cfg(test)]
pub(crate) mod corpus;
pub mod defaults;
pub mod discover;
pub mod freb;
pub mod httperr;
pub mod lines;
pub mod native;
pub mod origin;
#[cfg(test)]
mod props;
pub mod sniff;
pub mod source;
pub mod split;
pub mod uri;
pub mod w3c;

pub use sniff::{Kind, sniff};
