//! Timing signatures: when most of a group's time-taken values sit at one value, a timeout
//! expired. A known default (ARR's 30 s, ANCM's 2 min, FastCGI's 90 s...) is named; any
//! other single value is reported as a likely configured timeout.
//!
//! When the configuration read sets the timeout (a webFarm's proxy timeout, a FastCGI
//! application's activityTimeout...), the configured value replaces the default: the
//! signature names the setting, its value and the file and line that set it, and says so when
//! the cluster is not at the configured value.
//!
//! The cluster is measured on the values each histogram bucket stands for, clamped to the
//! group's exact lowest and highest time-taken, so the range quoted is one the requests had.

use serde::Serialize;

use super::configured::{self, Configured};
use super::scope::Target;
use crate::kb::{Kb, TimeoutEntry};
use crate::summary::config::ConfigSummary;
use crate::summary::w3c::TimeBucket;
use crate::triple::{Code, Triple};

/// A cluster of time-taken values, and what it most likely is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Signature {
    /// How many timed requests fell in the cluster.
    pub within: u64,
    /// How many requests of the group had a time-taken.
    pub of: u64,
    pub low_ms: u64,
    pub high_ms: u64,
    /// The known timeout it matches, if any.
    pub timeout: Option<String>,
    /// Where that timeout is set.
    pub setting: Option<String>,
    /// The sentence for the report.
    pub text: String,
    /// The configured value of the timeout the cluster was compared with, when the
    /// configuration read sets it (`matches` says whether the cluster sits at it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configured: Option<Configured>,
}

/// Groups smaller than this have no signature: two requests make no pattern.
const MIN_TIMED: u64 = 3;
/// The share of a group that must sit in the cluster.
const MIN_SHARE: f64 = 0.6;
/// Clusters below this are fast responses, not timeouts.
const MIN_CLUSTER_MS: u64 = 2_000;

/// Finds the signature in a group's time-taken histogram (`buckets`, lowest first, clamped
/// to the group's lowest and highest time-taken), for a group with this triple and, when FREB
/// names it, the module that set the error; `config` is what the configuration files read
/// set, of which only the values in force for the group's sites and URLs (`target`) count.
pub fn detect(
    kb: &Kb,
    triple: &Triple,
    module: Option<&str>,
    buckets: &[TimeBucket],
    config: &ConfigSummary,
    target: &Target,
) -> Option<Signature> {
    let timed: u64 = buckets.iter().map(|b| b.count).sum();
    if timed < MIN_TIMED {
        return None;
    }
    // The densest window over the buckets (two pointers): buckets that start within
    // width(v) of the end of the window's first bucket. Measured from the bucket's end, as a
    // bucket (1 % wide) can be wider than the window and split one cluster in two.
    let width = |v: u64| (v / 200).max(250);
    let (mut best, mut best_lo, mut best_hi) = (0u64, 0usize, 0usize);
    let mut hi = 0usize;
    let mut sum = 0u64;
    for lo in 0..buckets.len() {
        if hi < lo {
            hi = lo;
            sum = 0;
        }
        if sum == 0 {
            sum = buckets[lo].count;
            hi = lo + 1;
        }
        let reach = buckets[lo].high.saturating_add(width(buckets[lo].low));
        while hi < buckets.len() && buckets[hi].low <= reach {
            sum += buckets[hi].count;
            hi += 1;
        }
        if sum > best {
            (best, best_lo, best_hi) = (sum, lo, hi - 1);
        }
        sum -= buckets[lo].count;
    }
    if (best as f64) < MIN_SHARE * timed as f64 {
        return None;
    }
    let low_ms = buckets[best_lo].low;
    let high_ms = buckets[best_hi].high.max(low_ms);
    if low_ms < MIN_CLUSTER_MS {
        return None;
    }
    let range = if format_s(low_ms) == format_s(high_ms) {
        format!("{} s", format_s(low_ms))
    } else {
        format!("{}-{} s", format_s(low_ms), format_s(high_ms))
    };
    let head = format!("{best} of {timed} took {range}");
    let at = Cluster { low_ms, high_ms };
    let verdict = configured_verdict(kb, triple, module, at, config, target);
    let (text, timeout, setting, configured) = match verdict {
        Some(v) => v.into_parts(&head),
        None => default_parts(kb, triple, module, low_ms, high_ms, &head),
    };
    Some(Signature {
        within: best,
        of: timed,
        low_ms,
        high_ms,
        timeout,
        setting,
        text,
        configured,
    })
}

type Parts = (String, Option<String>, Option<String>, Option<Configured>);

/// The signature against the knowledge base's defaults alone.
fn default_parts(
    kb: &Kb,
    triple: &Triple,
    module: Option<&str>,
    low_ms: u64,
    high_ms: u64,
    head: &str,
) -> Parts {
    match known_timeout(kb, triple, module, low_ms, high_ms) {
        Some(t) => (
            format!(
                "{head}: {} (default {}) expired",
                t.name,
                format_duration(t.seconds)
            ),
            Some(t.name.clone()),
            Some(t.setting.clone()),
            None,
        ),
        None => (
            format!(
                "{head}: likely a configured timeout of {}",
                format_duration((low_ms as f64 / 1000.0).round())
            ),
            None,
            None,
            None,
        ),
    }
}

/// What the configured values say of a cluster.
enum Verdict<'a> {
    /// The cluster sits at a configured value in effect.
    At(&'a TimeoutEntry, Configured),
    /// At a value set where it has no effect (ANCM requestTimeout in-process).
    Inert(&'a TimeoutEntry, Configured),
    /// At the default, but the configuration sets another value.
    NotDefault(&'a TimeoutEntry, Configured),
    /// At no known value; the configuration sets this one.
    Elsewhere(&'a TimeoutEntry, Configured, u64),
}

impl Verdict<'_> {
    fn into_parts(self, head: &str) -> Parts {
        match self {
            Verdict::At(t, c) => (
                format!("{head}: {}, {}, expired", t.name, c.describe()),
                Some(t.name.clone()),
                Some(t.setting.clone()),
                Some(Configured { matches: true, ..c }),
            ),
            Verdict::Inert(t, c) => (
                format!(
                    "{head}: at {}, but hostingModel is inprocess there, where requestTimeout \
                     has no effect: another limit ended these requests (the app's own, or a \
                     proxy in front)",
                    c.describe()
                ),
                None,
                Some(t.setting.clone()),
                Some(c),
            ),
            Verdict::NotDefault(t, c) => (
                format!(
                    "{head}, the default of {} ({}), but the configuration read sets {}: where \
                     that configuration applies, the cluster is not this timeout; another limit \
                     ended these requests (e.g. the backend's own timeout)",
                    t.name,
                    format_duration(t.seconds),
                    c.describe()
                ),
                None,
                Some(t.setting.clone()),
                Some(c),
            ),
            Verdict::Elsewhere(t, c, low_ms) => (
                format!(
                    "{head}: likely a configured timeout of {}, not {} ({})",
                    format_duration((low_ms as f64 / 1000.0).round()),
                    t.name,
                    c.describe()
                ),
                None,
                None,
                Some(c),
            ),
        }
    }
}

/// A cluster's lowest and highest time-taken.
#[derive(Clone, Copy)]
struct Cluster {
    low_ms: u64,
    high_ms: u64,
}

/// The configured values of the timeouts the knowledge base knows for this code and module,
/// and what they say of a cluster from `low_ms` to `high_ms`; `None` when the configuration
/// sets none of them.
fn configured_verdict<'a>(
    kb: &'a Kb,
    triple: &Triple,
    module: Option<&str>,
    Cluster { low_ms, high_ms }: Cluster,
    config: &ConfigSummary,
    target: &Target,
) -> Option<Verdict<'a>> {
    let mut set: Vec<(&TimeoutEntry, Configured)> = Vec::new();
    for t in kb.timeouts().iter().filter(|t| applies(t, triple, module)) {
        let Some(key) = t.config.as_deref() else {
            continue;
        };
        if set.iter().any(|(s, _)| s.config.as_deref() == Some(key)) {
            continue;
        }
        let values = configured::values(config, key, target);
        set.extend(values.into_iter().map(|c| (t, c)));
    }
    let fits_at = |c: &Configured| fits(c.value_s as f64, low_ms, high_ms);
    if let Some((t, c)) = set.iter().find(|(_, c)| c.in_effect && fits_at(c)) {
        return Some(Verdict::At(t, c.clone()));
    }
    if let Some((t, c)) = set.iter().find(|(_, c)| !c.in_effect && fits_at(c)) {
        return Some(Verdict::Inert(t, c.clone()));
    }
    // A default the cluster sits at, replaced by a configured value in effect.
    if let Some(default) = known_timeout(kb, triple, module, low_ms, high_ms)
        && let Some((t, c)) = set
            .iter()
            .find(|(t, c)| c.in_effect && t.config == default.config)
    {
        return Some(Verdict::NotDefault(t, c.clone()));
    }
    if known_timeout(kb, triple, module, low_ms, high_ms).is_some() {
        return None;
    }
    let (t, c) = set.into_iter().find(|(_, c)| c.in_effect)?;
    Some(Verdict::Elsewhere(t, c, low_ms))
}

/// A known timeout for this code whose default the cluster sits at (just above it: the
/// request ends a moment after the timer fires).
fn known_timeout<'a>(
    kb: &'a Kb,
    triple: &Triple,
    module: Option<&str>,
    low_ms: u64,
    high_ms: u64,
) -> Option<&'a TimeoutEntry> {
    kb.timeouts()
        .iter()
        .find(|t| fits(t.seconds, low_ms, high_ms) && applies(t, triple, module))
}

/// What one request's time-taken says (`explain --time-taken`): the sentence, and the known
/// timeout whose default it sits at, if any.
pub fn of_one(kb: &Kb, triple: &Triple, module: Option<&str>, ms: u64) -> (String, bool) {
    let took = format!("A time-taken of {ms} ms ({} s)", format_s(ms));
    if ms < MIN_CLUSTER_MS {
        return (
            format!("{took}: the request failed at once, so no timeout ended it."),
            false,
        );
    }
    match known_timeout(kb, triple, module, ms, ms) {
        Some(t) => (
            format!(
                "{took} sits at the default of {} ({}): that timeout most likely expired. It is set in {}.",
                t.name,
                format_duration(t.seconds),
                t.setting
            ),
            true,
        ),
        None => (
            format!(
                "{took} sits at no default timeout iisdiag knows for this code: it is the time \
                 the request took to fail, or a timeout configured to another value (compare \
                 the configuration: iisdiag config, or scan with the configuration beside the logs)."
            ),
            false,
        ),
    }
}

/// Whether a cluster from `low_ms` to `high_ms` sits at a timeout of `seconds`.
fn fits(seconds: f64, low_ms: u64, high_ms: u64) -> bool {
    let at = seconds * 1000.0;
    (low_ms as f64) >= at - 500.0 && (high_ms as f64) <= at * 1.02 + 1_000.0
}

/// Whether a timeout fires for this code and, when known, module.
fn applies(t: &TimeoutEntry, triple: &Triple, module: Option<&str>) -> bool {
    let code_matches = t.codes.iter().any(|c| {
        c.parse::<Code>().is_ok_and(|c| {
            c.status == triple.status
                && c.substatus.is_none_or(|s| Some(s) == triple.substatus)
                && c.win32.is_none_or(|w| Some(w) == triple.win32)
        })
    });
    let module_fits = match (&t.module, module) {
        (Some(want), Some(have)) => have
            .to_ascii_lowercase()
            .contains(&want.to_ascii_lowercase()),
        _ => true,
    };
    code_matches && module_fits
}

fn format_s(ms: u64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

fn format_duration(seconds: f64) -> String {
    if seconds >= 60.0 && (seconds % 60.0).abs() < f64::EPSILON {
        format!("{} min", seconds / 60.0)
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::origin::Origin;
    use crate::input::w3c;
    use crate::summary::w3c::W3cSummary;

    /// A one-group summary with these time-taken values.
    fn buckets(times: &[u64]) -> Vec<TimeBucket> {
        let mut text =
            String::from("#Fields: date time sc-status sc-substatus sc-win32-status time-taken\n");
        for t in times {
            text.push_str(&format!("2026-11-18 10:00:00 502 3 12002 {t}\n"));
        }
        let mut s = W3cSummary::default();
        w3c::read(text.as_bytes(), |r| {
            s.add(
                r,
                &Origin::default(),
                r.triple.is_some_and(|t| t.is_failure()),
            )
        })
        .unwrap();
        let (_, g) = s.groups()[0];
        g.time_taken_buckets()
    }

    /// A group whose site and URLs are unknown: only server-level values apply to it.
    fn anywhere() -> Target {
        Target::default()
    }

    fn none() -> ConfigSummary {
        ConfigSummary::default()
    }

    /// The signature of a 502.3.12002 cluster at `times` (ms) with this configuration.
    fn arr_sig(times: &[u64], config: &ConfigSummary) -> Option<Signature> {
        detect(
            Kb::builtin(),
            &arr(),
            None,
            &buckets(times),
            config,
            &anywhere(),
        )
    }

    fn arr() -> Triple {
        Triple::new(502, Some(3), Some(12002))
    }

    #[test]
    fn names_the_arr_default() {
        let mut times: Vec<u64> = (0..136).map(|i| 30_000 + (i * 7) % 90).collect();
        times.push(1_200);
        let b = buckets(&times);
        let sig = detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()).unwrap();
        assert_eq!(sig.within, 136);
        assert_eq!(sig.of, 137);
        assert!(
            sig.text.starts_with("136 of 137 took 30.0-30.1 s"),
            "{}",
            sig.text
        );
        assert!(sig.text.contains("ARR"), "{}", sig.text);
    }

    #[test]
    fn names_the_ancm_default_with_module_evidence() {
        let times: Vec<u64> = (0..20).map(|i| 120_000 + i * 13).collect();
        let b = buckets(&times);
        let sig = detect(
            Kb::builtin(),
            &arr(),
            Some("AspNetCoreModuleV2"),
            &b,
            &none(),
            &anywhere(),
        )
        .unwrap();
        assert!(sig.text.contains("20 of 20"), "{}", sig.text);
        assert!(sig.text.contains("2 min"), "{}", sig.text);
    }

    #[test]
    fn a_custom_value_is_a_likely_configured_timeout() {
        let times: Vec<u64> = (0..40).map(|i| 45_000 + i * 5).collect();
        let b = buckets(&times);
        let sig = detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()).unwrap();
        assert!(
            sig.text.contains("likely a configured timeout of 45 s"),
            "{}",
            sig.text
        );
        assert_eq!(sig.timeout, None);
    }

    /// Issue 15, item 15: twelve requests that all took 45.00-45.08 s were said to be "8 of
    /// 12 took 44.9 s": the histogram split them into two buckets 256 ms apart, wider than
    /// the window, and the first bucket's value (44,928 ms) is one no request had.
    #[test]
    fn a_cluster_quotes_only_times_the_requests_had() {
        let times: Vec<u64> = (0..12).map(|i| 45_000 + i * 7).collect();
        let b = buckets(&times);
        let sig = detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()).unwrap();
        assert_eq!((sig.within, sig.of), (12, 12), "{}", sig.text);
        assert_eq!((sig.low_ms, sig.high_ms), (45_000, 45_077), "{}", sig.text);
        assert!(
            sig.text.starts_with("12 of 12 took 45.0-45.1 s"),
            "{}",
            sig.text
        );
    }

    #[test]
    fn spread_out_times_have_no_signature() {
        let times: Vec<u64> = (0..200).map(|i| 500 + i * 397).collect();
        let b = buckets(&times);
        assert_eq!(
            detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()),
            None
        );
    }

    #[test]
    fn fast_clusters_and_tiny_groups_are_not_timeouts() {
        let b = buckets(&[3, 3, 4, 3, 3, 4]);
        assert_eq!(
            detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()),
            None
        );
        let b = buckets(&[30_010, 30_020]);
        assert_eq!(
            detect(Kb::builtin(), &arr(), None, &b, &none(), &anywhere()),
            None
        );
    }

    /// The summary of one configuration file, `f.config`.
    fn config(text: &str) -> ConfigSummary {
        let file = crate::input::config::read_config(text.as_bytes()).unwrap();
        let mut c = ConfigSummary::default();
        c.add_config(&file, "f.config", |_, _| true);
        c
    }

    const FARM: &str = r#"<configuration>
  <system.webServer><proxy enabled="true" timeout="00:00:50" /></system.webServer>
  <webFarms>
    <webFarm name="api"><applicationRequestRouting><protocol timeout="00:02:00" /></applicationRequestRouting></webFarm>
  </webFarms>
  <system.webServer><fastCgi><application fullPath="C:\php\php-cgi.exe" activityTimeout="45" /></fastCgi></system.webServer>
</configuration>"#;

    #[test]
    fn a_configured_farm_timeout_replaces_the_default() {
        let times: Vec<u64> = (0..25).map(|i| 120_000 + i * 3).collect();
        let sig = arr_sig(&times, &config(FARM)).unwrap();
        assert!(
            sig.text.contains("the ARR proxy timeout, webFarms/webFarm/applicationRequestRouting/protocol@timeout = 00:02:00 (120 s) in f.config line 4 (webFarm 'api'), expired"),
            "{}",
            sig.text
        );
        let c = sig.configured.unwrap();
        assert!(c.matches && c.in_effect);
        assert_eq!((c.value_s, c.line), (120, 4));
        assert_eq!(sig.timeout.as_deref(), Some("the ARR proxy timeout"));
    }

    #[test]
    fn a_cluster_at_the_default_is_not_a_timeout_configured_otherwise() {
        let times: Vec<u64> = (0..25).map(|i| 30_000 + i * 3).collect();
        let only_farm = FARM.replace("timeout=\"00:00:50\"", "");
        let sig = arr_sig(&times, &config(&only_farm));
        let sig = sig.unwrap();
        assert!(
            sig.text
                .contains("the default of the ARR proxy timeout (30 s)"),
            "{}",
            sig.text
        );
        assert!(sig.text.contains("is not this timeout"), "{}", sig.text);
        assert_eq!(sig.timeout, None);
        assert!(!sig.configured.unwrap().matches);
    }

    #[test]
    fn a_cluster_at_no_configured_value_says_which_it_is_not() {
        let times: Vec<u64> = (0..25).map(|i| 45_000 + i * 3).collect();
        let sig = arr_sig(&times, &config(FARM)).unwrap();
        assert!(
            sig.text.contains("likely a configured timeout of 45 s, not the ARR proxy timeout (system.webServer/proxy@timeout = 00:00:50 (50 s) in f.config line 2)"),
            "{}",
            sig.text
        );
    }

    #[test]
    fn a_configured_fastcgi_activity_timeout_is_named() {
        let times: Vec<u64> = (0..10).map(|i| 45_000 + i * 9).collect();
        let fastcgi = Triple::new(500, Some(0), Some(258));
        let sig = detect(
            Kb::builtin(),
            &fastcgi,
            None,
            &buckets(&times),
            &config(FARM),
            &anywhere(),
        )
        .unwrap();
        assert!(
            sig.text.contains("the FastCGI activityTimeout (IIS 7.5 and later), fastCgi/application@activityTimeout = 45 s in f.config line 6 (FastCGI application 'C:\\php\\php-cgi.exe')"),
            "{}",
            sig.text
        );
        // A FastCGI timeout does not explain a proxy's 502.3.
        let sig = arr_sig(&times, &config(FARM)).unwrap();
        assert_eq!(sig.timeout, None, "{}", sig.text);
    }

    #[test]
    fn an_in_process_request_timeout_has_no_effect() {
        let web = r#"<configuration><location path="Shop"><system.webServer>
<aspNetCore processPath="dotnet" hostingModel="InProcess" requestTimeout="00:02:00" />
</system.webServer></location></configuration>"#;
        let times: Vec<u64> = (0..10).map(|i| 120_000 + i * 9).collect();
        let shop = Target::new(&config(web), &["Shop".into()], &["/"]);
        let sig = detect(
            Kb::builtin(),
            &arr(),
            Some("AspNetCoreModuleV2"),
            &buckets(&times),
            &config(web),
            &shop,
        );
        let sig = sig.unwrap();
        assert!(
            sig.text.contains(
                "aspNetCore@requestTimeout = 00:02:00 (120 s) in f.config line 2 (location 'Shop')"
            ),
            "{}",
            sig.text
        );
        assert!(
            sig.text
                .contains("hostingModel is inprocess there, where requestTimeout has no effect"),
            "{}",
            sig.text
        );
        assert_eq!(sig.timeout, None);
        assert!(!sig.configured.unwrap().in_effect);
    }

    /// A proxy timeout set for another site is not this group's: the cluster at 30 s is the
    /// default, and the site's own value is used where it has one.
    #[test]
    fn a_timeout_set_for_another_site_is_not_used() {
        let web = r#"<configuration>
<location path="Other"><system.webServer><proxy timeout="00:00:30" /></system.webServer></location>
<location path="Shop"><system.webServer><proxy timeout="00:01:00" /></system.webServer></location>
<location path="Shop/slow"><system.webServer><proxy timeout="00:05:00" /></system.webServer></location>
</configuration>"#;
        let c = config(web);
        let times: Vec<u64> = (0..10).map(|i| 30_000 + i * 9).collect();
        let cases = [
            ("Other", "/", Some(("00:00:30", true))),
            ("Shop", "/cart", Some(("00:01:00", false))),
            ("Shop", "/slow/report", Some(("00:05:00", false))),
            ("Third", "/", None),
        ];
        for (site, url, want) in cases {
            let target = Target::new(&c, &[site.into()], &[url]);
            let sig = detect(Kb::builtin(), &arr(), None, &buckets(&times), &c, &target).unwrap();
            let got = sig.configured.as_ref().map(|c| {
                let value = super::configured::timespan(c.value_s);
                (value, c.matches)
            });
            let want = want.map(|(v, m)| (v.to_string(), m));
            assert_eq!(got, want, "{site}{url}: {}", sig.text);
        }
    }

    /// ASP.NET's executionTimeout (110 s) names a 500 cluster at it; a web.config that sets
    /// it (in seconds) replaces the default.
    #[test]
    fn the_asp_net_execution_timeout_is_named() {
        let managed = Triple::new(500, Some(0), Some(0));
        let module = Some("ManagedPipelineHandler");
        let at_110: Vec<u64> = (0..10).map(|i| 110_000 + i * 9).collect();
        let sig = detect(
            Kb::builtin(),
            &managed,
            module,
            &buckets(&at_110),
            &none(),
            &anywhere(),
        );
        let sig = sig.unwrap();
        assert_eq!(
            sig.timeout.as_deref(),
            Some("the ASP.NET executionTimeout"),
            "{}",
            sig.text
        );
        let web = r#"<configuration><system.web><httpRuntime executionTimeout="300" /></system.web></configuration>"#;
        let at_300: Vec<u64> = (0..10).map(|i| 300_000 + i * 9).collect();
        let sig = detect(
            Kb::builtin(),
            &managed,
            module,
            &buckets(&at_300),
            &config(web),
            &anywhere(),
        );
        let sig = sig.unwrap();
        assert!(
            sig.text.contains("the ASP.NET executionTimeout, system.web/httpRuntime@executionTimeout = 300 s in f.config line 1, expired"),
            "{}",
            sig.text
        );
    }
}
