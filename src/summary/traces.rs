//! Groups FREB traces by what failed: `status.substatus.win32` plus the module that set the
//! error. A folder of traces then reads as a few lines ("37 traces: error set by
//! ApplicationRequestRouting ..., backend app02") instead of hundreds of files, and a group can
//! back up a W3C log's failure group as evidence.
//!
//! Summaries are built per file and merged, possibly on several threads, so every field is
//! either a sum or chosen by a rule that does not depend on the merge order (capped lists keep
//! their smallest entries in sort order; "first seen" values come from the earliest trace).

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::hresult;
use crate::input::freb::{ErrorSet, Trace};
use crate::time::{self, Millis};
use crate::triple::Triple;

/// The error event that explains the response the client got: one whose status is the final
/// status. A trace keeps the last error set when none matches (the directory-listing module
/// set 403.14 and the request then ended 200); that one was set on the way, and neither its
/// module nor its ErrorCode explains the final status.
pub fn final_error(trace: &Trace) -> Option<&ErrorSet> {
    trace.error.as_ref().filter(|e| e.status == trace.status)
}

/// The error set on the way to a different final status, if the trace kept one.
pub fn set_on_the_way(trace: &Trace) -> Option<&ErrorSet> {
    trace.error.as_ref().filter(|e| e.status != trace.status)
}

/// The triple a trace is evidence for: its final status, with the win32 of the error that
/// explains it, or of GENERAL_REQUEST_END when the only error kept was set on the way.
pub fn final_triple(trace: &Trace) -> Triple {
    match set_on_the_way(trace) {
        Some(_) => Triple::new(
            trace.status,
            trace.substatus,
            trace.final_status.as_ref().and_then(|end| end.win32),
        ),
        None => trace.triple(),
    }
}

/// File paths kept per group (the count of all of them is kept too).
pub const MAX_FILES: usize = 20;
/// Backend servers kept per group.
pub const MAX_BACKENDS: usize = 10;
/// Application pools and worker process ids a group lists, for lining traces up with the
/// Windows events of the same pool and process.
pub const MAX_PROCESSES: usize = 16;
/// Distinct notification or module names counted per group; more are ignored.
const MAX_NAMES: usize = 32;

/// Traces grouped by failure.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    /// Traces added.
    pub traces: u64,
    /// Traces that were cut short.
    pub truncated: u64,
    #[serde(serialize_with = "groups_in_order")]
    groups: BTreeMap<GroupKey, TraceGroup>,
}

/// What traces are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct GroupKey {
    status: u16,
    substatus: Option<u32>,
    win32: Option<u64>,
    module: Option<String>,
}

/// Traces that failed the same way.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct TraceGroup {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
    /// The module that set the error status (MODULE_SET_RESPONSE_ERROR_STATUS).
    pub module: Option<String>,
    /// The pipeline stage it did so in, most common first.
    pub notification: Option<String>,
    pub count: u64,
    /// Up to [`MAX_FILES`] paths, sorted.
    pub files: Vec<String>,
    /// All paths, including those not listed.
    pub file_count: u64,
    /// ARR backend servers seen, sorted, up to [`MAX_BACKENDS`].
    pub backends: Vec<String>,
    /// The application pools (`appPoolId`) of the traces, sorted, up to [`MAX_PROCESSES`].
    pub pools: Vec<String>,
    /// The worker process ids (`processId`) of the traces, sorted, up to [`MAX_PROCESSES`].
    pub pids: Vec<u32>,
    /// The HRESULT of the earliest trace, as `0x80072EE2`.
    #[serde(serialize_with = "hex_code")]
    pub error_code: Option<u64>,
    /// IIS's text for it.
    pub error_text: Option<String>,
    /// Start of the earliest and latest trace.
    #[serde(rename = "first_seen", serialize_with = "time::rfc3339::opt")]
    pub first_start: Option<Millis>,
    #[serde(rename = "last_seen", serialize_with = "time::rfc3339::opt")]
    pub last_start: Option<Millis>,
    /// Traces cut short.
    pub truncated: u64,
    /// Where the slowest step most often fell (useful for TIME_TAKEN traces).
    pub slow_module: Option<String>,
    pub max_time_taken_ms: Option<u64>,
    #[serde(skip)]
    notifications: BTreeMap<String, u64>,
    #[serde(skip)]
    slow_modules: BTreeMap<String, u64>,
    /// Start and path of the trace `error_code` came from, so that merging keeps the earliest.
    #[serde(skip)]
    error_from: Option<(Option<Millis>, String)>,
}

impl TraceSummary {
    pub fn new() -> TraceSummary {
        TraceSummary::default()
    }

    /// Counts one trace read from `path`.
    pub fn add(&mut self, trace: &Trace, path: &str) {
        self.traces = self.traces.saturating_add(1);
        if trace.truncated {
            self.truncated = self.truncated.saturating_add(1);
        }
        let triple = final_triple(trace);
        let error = final_error(trace);
        let key = GroupKey {
            status: triple.status,
            substatus: triple.substatus,
            win32: triple.win32,
            module: error
                .map(|e| e.module.as_str())
                .filter(|m| !m.is_empty())
                .map(str::to_string),
        };
        let mut one = TraceGroup {
            status: key.status,
            substatus: key.substatus,
            win32: key.win32,
            module: key.module.clone(),
            count: 1,
            files: vec![path.to_string()],
            file_count: 1,
            backends: trace
                .arr
                .iter()
                .map(|a| a.server.clone())
                .filter(|s| !s.is_empty())
                .collect(),
            pools: Some(trace.app_pool_id.clone())
                .filter(|p| !p.is_empty())
                .into_iter()
                .collect(),
            pids: trace.process_id.filter(|&p| p != 0).into_iter().collect(),
            first_start: trace.start,
            last_start: trace.start,
            truncated: u64::from(trace.truncated),
            max_time_taken_ms: trace.time_taken_ms,
            ..TraceGroup::default()
        };
        if let Some(error) = error {
            if !error.notification.is_empty() {
                one.notifications.insert(error.notification.clone(), 1);
            }
        }
        if let Some(module) = trace.slowest_step.as_ref().and_then(|s| s.module.clone()) {
            one.slow_modules.insert(module, 1);
        }
        let code = error
            .and_then(|e| e.error_code)
            .or_else(|| trace.ancm.as_ref().and_then(|a| a.forward_error));
        if let Some(code) = code {
            one.error_code = Some(code);
            one.error_text = error.and_then(|e| e.error_text.clone()).or_else(|| {
                trace
                    .ancm
                    .as_ref()
                    .and_then(|a| a.forward_error_text.clone())
            });
            one.error_from = Some((trace.start, path.to_string()));
        }
        one.settle();
        self.put(key, one);
    }

    /// Adds another summary's counts to this one.
    pub fn merge(&mut self, other: TraceSummary) {
        self.traces = self.traces.saturating_add(other.traces);
        self.truncated = self.truncated.saturating_add(other.truncated);
        for (key, group) in other.groups {
            self.put(key, group);
        }
    }

    fn put(&mut self, key: GroupKey, group: TraceGroup) {
        match self.groups.get_mut(&key) {
            Some(existing) => existing.absorb(group),
            None => {
                self.groups.insert(key, group);
            }
        }
    }

    /// The start of the latest trace.
    pub fn last_start(&self) -> Option<Millis> {
        self.groups.values().filter_map(|g| g.last_start).max()
    }

    /// Groups, largest first (ties in key order).
    pub fn groups(&self) -> Vec<&TraceGroup> {
        let mut groups: Vec<(&GroupKey, &TraceGroup)> = self.groups.iter().collect();
        groups.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
        groups.into_iter().map(|(_, g)| g).collect()
    }

    /// Groups that back up a failure seen elsewhere (a W3C log's `status.substatus.win32`):
    /// same status, and same substatus and win32 where both sides know them
    /// ([`Triple::agrees_with`]).
    pub fn evidence_for(
        &self,
        status: u16,
        substatus: Option<u32>,
        win32: Option<u64>,
    ) -> Vec<&TraceGroup> {
        let wanted = Triple::new(status, substatus, win32);
        self.groups()
            .into_iter()
            .filter(|g| wanted.agrees_with(&Triple::new(g.status, g.substatus, g.win32)))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// A trace group as `--save-summary` writes it: every field, the counts behind the "most
/// common" ones included.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SavedTraceGroup {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
    pub module: Option<String>,
    pub count: u64,
    /// Capped while read, like the lists of a W3C group.
    pub files: crate::summary::capped::Capped<String, MAX_FILES>,
    pub file_count: u64,
    pub backends: crate::summary::capped::Capped<String, MAX_BACKENDS>,
    /// Absent from summaries written before traces were lined up with events.
    #[serde(default)]
    pub pools: crate::summary::capped::Capped<String, MAX_PROCESSES>,
    #[serde(default)]
    pub pids: crate::summary::capped::Capped<u32, MAX_PROCESSES>,
    pub error_code: Option<u64>,
    pub error_text: Option<String>,
    pub first_start: Option<Millis>,
    pub last_start: Option<Millis>,
    pub truncated: u64,
    pub max_time_taken_ms: Option<u64>,
    pub notifications: BTreeMap<String, u64>,
    pub slow_modules: BTreeMap<String, u64>,
    pub error_from: Option<(Option<Millis>, String)>,
}

/// A trace summary as `--save-summary` writes it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedTraces {
    pub traces: u64,
    pub truncated: u64,
    pub groups: Vec<SavedTraceGroup>,
}

impl TraceSummary {
    /// Everything the summary holds, in a form that serialises.
    pub fn save(&self) -> SavedTraces {
        SavedTraces {
            traces: self.traces,
            truncated: self.truncated,
            groups: self
                .groups
                .values()
                .map(|g| SavedTraceGroup {
                    status: g.status,
                    substatus: g.substatus,
                    win32: g.win32,
                    module: g.module.clone(),
                    count: g.count,
                    files: g.files.clone().into(),
                    file_count: g.file_count,
                    backends: g.backends.clone().into(),
                    pools: g.pools.clone().into(),
                    pids: g.pids.clone().into(),
                    error_code: g.error_code,
                    error_text: g.error_text.clone(),
                    first_start: g.first_start,
                    last_start: g.last_start,
                    truncated: g.truncated,
                    max_time_taken_ms: g.max_time_taken_ms,
                    notifications: g.notifications.clone(),
                    slow_modules: g.slow_modules.clone(),
                    error_from: g.error_from.clone(),
                })
                .collect(),
        }
    }

    /// The summary a saved one describes.
    pub fn restore(saved: SavedTraces) -> TraceSummary {
        let mut s = TraceSummary {
            traces: saved.traces,
            truncated: saved.truncated,
            groups: BTreeMap::new(),
        };
        for g in saved.groups {
            let key = GroupKey {
                status: g.status,
                substatus: g.substatus,
                win32: g.win32,
                module: g.module.clone(),
            };
            let mut group = TraceGroup {
                status: g.status,
                substatus: g.substatus,
                win32: g.win32,
                module: g.module,
                count: g.count,
                files: g.files.kept,
                file_count: g.file_count,
                backends: g.backends.kept,
                pools: g.pools.kept,
                pids: g.pids.kept,
                error_code: g.error_code,
                error_text: g.error_text,
                first_start: g.first_start,
                last_start: g.last_start,
                truncated: g.truncated,
                max_time_taken_ms: g.max_time_taken_ms,
                notifications: g.notifications,
                slow_modules: g.slow_modules,
                error_from: g.error_from,
                ..TraceGroup::default()
            };
            group.settle();
            s.put(key, group);
        }
        s
    }
}

impl TraceGroup {
    /// Folds in a group with the same key.
    fn absorb(&mut self, other: TraceGroup) {
        self.count = self.count.saturating_add(other.count);
        self.file_count = self.file_count.saturating_add(other.file_count);
        self.truncated = self.truncated.saturating_add(other.truncated);
        self.files = smallest(std::mem::take(&mut self.files), other.files, MAX_FILES);
        self.backends = smallest(
            std::mem::take(&mut self.backends),
            other.backends,
            MAX_BACKENDS,
        );
        self.pools = smallest(std::mem::take(&mut self.pools), other.pools, MAX_PROCESSES);
        self.pids = smallest(std::mem::take(&mut self.pids), other.pids, MAX_PROCESSES);
        self.first_start = earliest(self.first_start, other.first_start);
        self.last_start = self.last_start.max(other.last_start);
        self.max_time_taken_ms = self.max_time_taken_ms.max(other.max_time_taken_ms);
        add_counts(&mut self.notifications, other.notifications);
        add_counts(&mut self.slow_modules, other.slow_modules);
        let other_first = match (&self.error_from, &other.error_from) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(mine), Some(theirs)) => earlier_source(theirs, mine),
        };
        if other_first {
            self.error_code = other.error_code;
            self.error_text = other.error_text;
            self.error_from = other.error_from;
        }
        self.settle();
    }

    /// Recomputes the "most common" fields from their counts.
    fn settle(&mut self) {
        self.notification = most_common(&self.notifications);
        self.slow_module = most_common(&self.slow_modules);
    }
}

/// True when source `a` (start, path) came before `b`; traces without a start come last.
fn earlier_source(a: &(Option<Millis>, String), b: &(Option<Millis>, String)) -> bool {
    let rank = |s: &(Option<Millis>, String)| (s.0.is_none(), s.0, s.1.clone());
    rank(a) < rank(b)
}

fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The union of two sorted lists, without repeats, cut to its first `cap` entries.
fn smallest<T: Ord>(mut a: Vec<T>, b: Vec<T>, cap: usize) -> Vec<T> {
    a.extend(b);
    a.sort_unstable();
    a.dedup();
    a.truncate(cap);
    a
}

fn add_counts(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (name, n) in from {
        if let Some(count) = into.get_mut(&name) {
            *count = count.saturating_add(n);
        } else if into.len() < MAX_NAMES {
            into.insert(name, n);
        }
    }
}

/// The name with the highest count; ties go to the first in alphabetical order.
fn most_common(counts: &BTreeMap<String, u64>) -> Option<String> {
    let mut best: Option<(&String, u64)> = None;
    for (name, &n) in counts {
        if best.is_none_or(|(_, top)| n > top) {
            best = Some((name, n));
        }
    }
    best.map(|(name, _)| name.clone())
}

/// One line about a group, e.g. `3 traces: error set by ApplicationRequestRouting in
/// EXECUTE_REQUEST_HANDLER, 0x80072EE2 (win32 12002), backend app02.internal`.
pub fn describe(group: &TraceGroup) -> String {
    let mut parts: Vec<String> = Vec::new();
    match (&group.module, &group.notification) {
        (Some(module), Some(stage)) => parts.push(format!("error set by {module} in {stage}")),
        (Some(module), None) => parts.push(format!("error set by {module}")),
        (None, _) => match &group.slow_module {
            Some(slow) => parts.push(format!("no module set an error; slowest step in {slow}")),
            None => parts.push("no module set an error".to_string()),
        },
    }
    if let Some(code) = group.error_code.filter(|&c| c != 0) {
        match hresult::win32_of(code) {
            Some(win32) => parts.push(format!("{} (win32 {win32})", hresult::hex(code))),
            None => parts.push(hresult::hex(code)),
        }
    }
    match group.backends.as_slice() {
        [] => {}
        [one] => parts.push(format!("backend {one}")),
        many => {
            let shown: Vec<&str> = many.iter().take(3).map(String::as_str).collect();
            let more = many.len().saturating_sub(3);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            parts.push(format!("backends {}{tail}", shown.join(", ")));
        }
    }
    if group.truncated > 0 {
        parts.push(format!("{} cut short", group.truncated));
    }
    let noun = if group.count == 1 { "trace" } else { "traces" };
    format!("{} {noun}: {}", group.count, parts.join(", "))
}

fn groups_in_order<S: Serializer>(
    groups: &BTreeMap<GroupKey, TraceGroup>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut sorted: Vec<(&GroupKey, &TraceGroup)> = groups.iter().collect();
    sorted.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
    serializer.collect_seq(sorted.into_iter().map(|(_, g)| g))
}

fn hex_code<S: Serializer>(code: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
    match code {
        Some(code) => serializer.serialize_str(&hresult::hex(*code)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::freb::{ArrRoute, ErrorSet, SlowStep};

    fn trace(
        status: u16,
        sub: u32,
        win32: Option<u64>,
        module: Option<&str>,
        start: Millis,
    ) -> Trace {
        Trace {
            status,
            substatus: Some(sub),
            win32,
            start: Some(start),
            error: module.map(|m| ErrorSet {
                module: m.to_string(),
                notification: "EXECUTE_REQUEST_HANDLER".to_string(),
                status,
                substatus: Some(sub),
                error_code: win32.map(|w| 0x8007_0000 | w),
                ..ErrorSet::default()
            }),
            ..Trace::default()
        }
    }

    fn arr_timeout(server: &str, start: Millis) -> Trace {
        let mut t = trace(
            502,
            3,
            Some(12002),
            Some("ApplicationRequestRouting"),
            start,
        );
        t.arr = Some(ArrRoute {
            server: server.to_string(),
            ..ArrRoute::default()
        });
        t
    }

    fn sample_traces() -> Vec<(Trace, String)> {
        let mut all = Vec::new();
        for i in 0..30 {
            let server = ["app02.internal", "app01.internal", "app03.internal"][i % 3];
            all.push((
                arr_timeout(server, 1_000 + i as i64),
                format!("W3SVC1/fr{:06}.xml", 300 - i),
            ));
        }
        for i in 0..5 {
            all.push((
                trace(404, 0, Some(2), Some("IIS Web Core"), 500 + i),
                format!("W3SVC2/fr{i:06}.xml"),
            ));
        }
        let mut slow = trace(200, 0, None, None, 42);
        slow.truncated = true;
        slow.slowest_step = Some(SlowStep {
            module: Some("FastCgiModule".to_string()),
            ..SlowStep::default()
        });
        all.push((slow, "W3SVC5/fr000001.xml".to_string()));
        all
    }

    fn summed(traces: &[(Trace, String)]) -> TraceSummary {
        let mut s = TraceSummary::new();
        for (t, p) in traces {
            s.add(t, p);
        }
        s
    }

    #[test]
    fn groups_by_triple_and_module() {
        let s = summed(&sample_traces());
        assert_eq!(s.traces, 36);
        assert_eq!(s.truncated, 1);
        let groups = s.groups();
        assert_eq!(groups.len(), 3);
        let arr = groups[0];
        assert_eq!(
            (arr.status, arr.substatus, arr.win32),
            (502, Some(3), Some(12002))
        );
        assert_eq!(arr.count, 30);
        assert_eq!(arr.file_count, 30);
        assert_eq!(arr.files.len(), MAX_FILES);
        assert_eq!(arr.files[0], "W3SVC1/fr000271.xml");
        assert_eq!(
            arr.backends,
            ["app01.internal", "app02.internal", "app03.internal"]
        );
        assert_eq!(arr.notification.as_deref(), Some("EXECUTE_REQUEST_HANDLER"));
        assert_eq!(arr.first_start, Some(1_000));
        assert_eq!(arr.last_start, Some(1_029));
        assert_eq!(groups[1].count, 5);
        assert_eq!(groups[2].slow_module.as_deref(), Some("FastCgiModule"));
    }

    #[test]
    fn merge_order_does_not_change_the_result() {
        let all = sample_traces();
        let whole = summed(&all);
        for split in [1, 7, 18, 35] {
            let (a, b) = all.split_at(split);
            let mut ab = summed(a);
            ab.merge(summed(b));
            let mut ba = summed(b);
            ba.merge(summed(a));
            assert_eq!(ab, whole, "split {split}");
            assert_eq!(ba, whole, "split {split} reversed");
        }
        let mut parts: Vec<TraceSummary> = all.chunks(4).map(summed).collect();
        parts.reverse();
        let mut folded = TraceSummary::new();
        for p in parts {
            folded.merge(p);
        }
        assert_eq!(folded, whole);
    }

    #[test]
    fn first_seen_error_code_is_the_earliest_traces() {
        let mut early = trace(500, 0, Some(5), Some("M"), 10);
        early.error.as_mut().unwrap().error_text = Some("Access is denied. (0x80070005)".into());
        let mut late = trace(500, 0, Some(5), Some("M"), 20);
        late.error.as_mut().unwrap().error_text = Some("other text".into());
        let mut a = TraceSummary::new();
        a.add(&late, "b.xml");
        let mut b = TraceSummary::new();
        b.add(&early, "a.xml");
        a.merge(b);
        assert_eq!(
            a.groups()[0].error_text.as_deref(),
            Some("Access is denied. (0x80070005)")
        );
    }

    #[test]
    fn evidence_matches_on_known_parts() {
        let s = summed(&sample_traces());
        assert_eq!(s.evidence_for(502, Some(3), Some(12002)).len(), 1);
        assert_eq!(s.evidence_for(502, Some(3), None).len(), 1);
        assert_eq!(s.evidence_for(502, None, None).len(), 1);
        assert!(s.evidence_for(502, Some(3), Some(12029)).is_empty());
        assert!(s.evidence_for(502, Some(4), Some(12002)).is_empty());
        assert!(s.evidence_for(503, None, None).is_empty());
        // A group whose win32 is unknown still backs up a known one.
        assert_eq!(s.evidence_for(200, Some(0), Some(64)).len(), 1);
    }

    #[test]
    fn describes_a_group_in_one_line() {
        let s = summed(&sample_traces()[..3]);
        assert_eq!(
            describe(s.groups()[0]),
            "3 traces: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, \
             0x80072EE2 (win32 12002), backends app01.internal, app02.internal, app03.internal"
        );
        let one = summed(&[(arr_timeout("app02.internal", 5), "x.xml".into())]);
        assert_eq!(
            describe(one.groups()[0]),
            "1 trace: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, \
             0x80072EE2 (win32 12002), backend app02.internal"
        );
        let all = summed(&sample_traces());
        assert_eq!(
            describe(all.groups()[2]),
            "1 trace: no module set an error; slowest step in FastCgiModule, 1 cut short"
        );
    }

    #[test]
    fn serialises_the_contract_keys() {
        let s = summed(&sample_traces());
        let json = serde_json::to_value(&s).unwrap();
        let groups = json["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 3);
        let first = &groups[0];
        for key in [
            "status",
            "substatus",
            "win32",
            "module",
            "notification",
            "count",
            "files",
        ] {
            assert!(first.get(key).is_some(), "missing {key}");
        }
        assert_eq!(first["status"], 502);
        assert_eq!(first["error_code"], "0x80072EE2");
        assert_eq!(first["first_seen"], "1970-01-01T00:00:01Z");
        let slow = &groups[2];
        assert!(slow["module"].is_null());
        assert!(slow["win32"].is_null());
        assert!(slow.get("notifications").is_none());
    }

    #[test]
    fn sample_files_group_as_expected() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/freb");
        let mut s = TraceSummary::new();
        for name in [
            "fr000101.xml",
            "fr000102.xml",
            "fr000103.xml",
            "fr000108.xml",
        ] {
            let file = std::fs::File::open(dir.join(name)).unwrap();
            let t = crate::input::freb::read_trace(std::io::BufReader::new(file), false).unwrap();
            s.add(&t, name);
        }
        let lines: Vec<String> = s.groups().into_iter().map(describe).collect();
        assert_eq!(
            lines,
            [
                "1 trace: no module set an error; slowest step in FastCgiModule",
                "1 trace: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, 0x80072EE2 (win32 12002), backend app02.internal",
                "1 trace: error set by AspNetCoreModuleV2 in EXECUTE_REQUEST_HANDLER, 0x80072EE2 (win32 12002)",
                "1 trace: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, 0x80072EFD (win32 12029), backend app03.internal",
            ]
        );
    }
}
