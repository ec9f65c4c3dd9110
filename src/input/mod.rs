//! Finding log files and reading them: one parser per format, each file's kind told by
//! its content, not its name. Every command opens what it found through `source` (a plain
//! file, or each member of an archive), and the text formats share one line reader, `lines`.
//! The first stage of the flow: it imports nothing from the stages after it.

pub mod ancm;
pub mod archive;
pub mod bundle;
pub mod config;
#[cfg(test)]
pub(crate) mod corpus;
pub mod defaults;
pub mod discover;
pub mod errorpage;
pub mod eventlog;
pub mod follow;
pub mod freb;
pub mod httperr;
pub mod lines;
pub mod native;
pub mod origin;
pub mod php;
#[cfg(test)]
mod props;
pub mod secret;
pub mod sniff;
pub mod source;
pub mod split;
pub mod stdout;
pub mod uri;
pub mod w3c;
pub(crate) mod xml;

pub use sniff::{Kind, sniff};
