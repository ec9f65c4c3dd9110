//! iisdiag: reads IIS W3C logs, Failed Request Tracing (FREB) traces and HTTP.sys error logs,
//! groups failures by `status.substatus.win32` and explains each group.
//!
//! Data flows one way: files -> records (`input`) -> `filter` -> `summary` -> `explain`
//! (with the knowledge base, `kb`) -> `report` (the writers) -> `output` (the files written).
//! `pipeline` drives the reading; the command-line types stop at `cmd`.

pub mod cli;
pub mod cmd;
pub mod error;
pub mod explain;
pub mod filter;
pub mod guard;
pub mod hresult;
pub mod input;
pub mod kb;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod summary;
pub mod time;
pub mod triple;

pub use error::Error;
