//! The final status and the error that explains it: a trace's status, substatus and win32
//! come from the root, the error events and GENERAL_REQUEST_END, in that order of trust, and
//! the error event kept is the one that matches the status the client got.

use super::text::body_excerpt;
use super::trace::{ErrorSet, Trace};
use super::walk::State;
use crate::hresult;

impl State {
    /// Records why the document ended early, keeping the first reason (IIS's own marker).
    pub(super) fn cut(&mut self, reason: String) {
        if !self.trace.truncated {
            self.trace.truncated = true;
            self.trace.truncation = Some(reason);
        }
    }

    pub(super) fn finish(mut self) -> Trace {
        if !self.trace.truncated && self.trace.final_status.is_none() {
            self.cut(
                "no GENERAL_REQUEST_END event: the trace stops before the request ended".into(),
            );
        }
        let final_status = self.trace.final_status.clone();
        let (status, root_substatus) = match self.root_status {
            Some(found) => found,
            None => match (&final_status, self.error_sets.last()) {
                (Some(end), _) => (end.status, end.substatus),
                (None, Some(set)) => (set.status, set.substatus),
                (None, None) => (0, None),
            },
        };
        let error = pick_error(&self.error_sets, status, root_substatus);
        let substatus = root_substatus
            .or_else(|| {
                error
                    .as_ref()
                    .filter(|e| e.status == status)
                    .and_then(|e| e.substatus)
            })
            .or_else(|| {
                final_status
                    .as_ref()
                    .filter(|end| end.status == status)
                    .and_then(|end| end.substatus)
            });
        let win32 = error
            .as_ref()
            .and_then(|e| e.error_code)
            .or_else(|| self.trace.ancm.as_ref().and_then(|a| a.forward_error))
            .map(hresult::as_win32_status)
            .or_else(|| final_status.as_ref().and_then(|end| end.win32));
        self.trace.status = status;
        self.trace.substatus = substatus;
        self.trace.win32 = win32;
        self.trace.error = error;
        self.trace.response_excerpt = self
            .body
            .as_deref()
            .map(body_excerpt)
            .filter(|e| !e.is_empty());
        self.trace
    }
}

/// The error event that explains the final status: the last one with the same status (and
/// substatus, when known), else the last one.
fn pick_error(sets: &[ErrorSet], status: u16, substatus: Option<u32>) -> Option<ErrorSet> {
    sets.iter()
        .rev()
        .find(|e| e.status == status && substatus.is_none_or(|sub| e.substatus == Some(sub)))
        .or_else(|| sets.iter().rev().find(|e| e.status == status))
        .or_else(|| sets.last())
        .cloned()
}
