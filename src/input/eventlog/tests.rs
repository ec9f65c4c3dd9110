//! The event readers on the corpus (every count checked against one made without them), on
//! each form they accept, and on cut, damaged and hostile input.

use std::collections::BTreeMap;
use std::io::{self, BufReader, Cursor, Read};

use super::*;
use crate::input::corpus;
use crate::input::lines::Stats;

fn read_xml_bytes(bytes: &[u8]) -> io::Result<(Vec<Event>, Stats)> {
    let mut events = Vec::new();
    let stats = read_xml(Cursor::new(bytes), |e| events.push(e))?;
    Ok((events, stats))
}

fn read_str(xml: &str) -> (Vec<Event>, Stats) {
    read_xml_bytes(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}: {xml}"))
}

fn read_evtx_bytes(bytes: &[u8]) -> (Vec<Event>, Stats) {
    let mut events = Vec::new();
    let stats = read_evtx(Trickle(bytes), |e| events.push(e)).unwrap();
    (events, stats)
}

/// A reader that hands out at most 1000 bytes at a time and cannot seek, as an archive
/// member is read.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(out.len()).min(1000);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fn counts(events: &[Event]) -> BTreeMap<(String, u32), u64> {
    let mut out = BTreeMap::new();
    for e in events {
        *out.entry((e.provider.clone(), e.id)).or_insert(0) += 1;
    }
    out
}

fn table(rows: &[(&str, u32, u64)]) -> BTreeMap<(String, u32), u64> {
    rows.iter()
        .map(|&(p, id, n)| ((p.to_string(), id), n))
        .collect()
}

/// Events per provider and id: `(provider, id, count)`.
type Counts = &'static [(&'static str, u32, u64)];

/// Events per provider and id in each Event XML file of the corpus, counted by a Python
/// regex over the text (`<Provider Name="..."` then the next `<EventID ...>N</EventID>`),
/// without iisdiag; they agree with SOURCES.md (e).
const XML_COUNTS: &[(&str, Counts)] = &[
    (
        "CloudAzure__eventlog.xml",
        &[("HttpPlatformHandler", 2000, 64), ("W3SVC-WP", 2303, 2)],
    ),
    (
        "FGF-College-Work-Forum__issue174_APPHOSTSVC-9009.xml",
        &[("Microsoft-Windows-IIS-APPHOSTSVC", 9009, 1)],
    ),
    (
        "HackIllinois_GamerTagDB__eventlog.xml",
        &[("ASP.NET 4.0.30319.0", 1309, 13)],
    ),
    (
        "MauiApp1__eventlog.prev.xml",
        &[
            (".NET Runtime", 1026, 2),
            ("ASP.NET 4.0.30319.0", 1309, 2),
            ("IIS AspNetCore Module V2", 1005, 476),
            ("IIS AspNetCore Module V2", 1032, 571),
            ("IIS AspNetCore Module V2", 1033, 145),
            ("PowerShell", 800, 37),
            ("ZipFS", 0, 724),
        ],
    ),
    (
        "PizzaShopRWA__eventlog.xml",
        &[
            (".NET Runtime", 1000, 166),
            ("IIS AspNetCore Module V2", 1012, 9),
            ("IIS AspNetCore Module V2", 1032, 24),
            ("IIS AspNetCore Module V2", 1033, 23),
        ],
    ),
    (
        "Scalyr-Azure__eventlog.xml",
        &[
            (".NET Runtime", 1022, 64),
            ("HttpPlatformHandler", 2000, 40),
            ("IIS AspNetCore Module V2", 1032, 1),
            ("PowerShell", 800, 2),
        ],
    ),
    (
        "WinterIntex4-5__eventlog.xml",
        &[
            (".NET Runtime", 1000, 77),
            (".NET Runtime", 1026, 8),
            ("IIS AspNetCore Module V2", 1007, 10),
            ("IIS AspNetCore Module V2", 1012, 24),
            ("IIS AspNetCore Module V2", 1018, 10),
            ("IIS AspNetCore Module V2", 1032, 27),
            ("IIS AspNetCore Module V2", 1033, 27),
            ("W3SVC-WP", 2303, 2),
        ],
    ),
    (
        "aspnetcore__issue68573_WAS-5076.xml",
        &[("Microsoft-Windows-WAS", 5076, 1)],
    ),
    (
        "crescent-frontend__eventlog.xml",
        &[
            (".NET Runtime", 1022, 6),
            ("HttpPlatformHandler", 2000, 28),
            ("IIS AspNetCore Module", 1000, 54),
            ("IIS AspNetCore Module", 1004, 8),
        ],
    ),
    (
        "spaarke__eventlog.prev.xml",
        &[
            (".NET Runtime", 1000, 745),
            (".NET Runtime", 1026, 1),
            ("IIS AspNetCore Module V2", 1005, 10),
            ("IIS AspNetCore Module V2", 1007, 2),
            ("IIS AspNetCore Module V2", 1012, 58),
            ("IIS AspNetCore Module V2", 1018, 1),
            ("IIS AspNetCore Module V2", 1032, 130),
            ("IIS AspNetCore Module V2", 1033, 91),
            ("W3SVC-WP", 2284, 18),
            ("W3SVC-WP", 2289, 6),
        ],
    ),
];

/// Records per provider and id in `EVTX__system.evtx`, counted with python-evtx 0.8 (an
/// independent implementation) over every chunk with an `ElfChnk` header: 1,881 records in
/// 15 chunks. The file header counts only 3 chunks (326 records, python-evtx's own count when
/// it follows the header): the log was copied while in use.
const SYSTEM_EVTX: &[(&str, u32, u64)] = &[
    ("Application Popup", 26, 1),
    ("BTHUSB", 17, 2),
    ("BTHUSB", 18, 32),
    ("BTHUSB", 28, 32),
    ("Disk", 51, 3),
    ("EventLog", 6005, 3),
    ("EventLog", 6006, 2),
    ("EventLog", 6009, 3),
    ("EventLog", 6011, 1),
    ("EventLog", 6013, 23),
    ("Lfsvc", 1, 1),
    ("Lfsvc", 2, 1),
    ("Microsoft-Windows-DHCPv6-Client", 51046, 3),
    ("Microsoft-Windows-DHCPv6-Client", 51047, 1),
    ("Microsoft-Windows-DHCPv6-Client", 51057, 2),
    ("Microsoft-Windows-DNS-Client", 1014, 160),
    ("Microsoft-Windows-Dhcp-Client", 50036, 3),
    ("Microsoft-Windows-Dhcp-Client", 50037, 2),
    ("Microsoft-Windows-Dhcp-Client", 50103, 3),
    ("Microsoft-Windows-Dhcp-Client", 50104, 2),
    ("Microsoft-Windows-Dhcp-Client", 50105, 2),
    ("Microsoft-Windows-Dhcp-Client", 50106, 2),
    ("Microsoft-Windows-Directory-Services-SAM", 16962, 3),
    ("Microsoft-Windows-DistributedCOM", 10005, 1),
    ("Microsoft-Windows-DistributedCOM", 10010, 1),
    ("Microsoft-Windows-DistributedCOM", 10016, 16),
    ("Microsoft-Windows-DriverFrameworks-UserMode", 10000, 2),
    ("Microsoft-Windows-DriverFrameworks-UserMode", 10001, 1),
    ("Microsoft-Windows-DriverFrameworks-UserMode", 10002, 1),
    ("Microsoft-Windows-DriverFrameworks-UserMode", 10100, 2),
    ("Microsoft-Windows-DriverFrameworks-UserMode", 10114, 3),
    ("Microsoft-Windows-Eventlog", 104, 2),
    ("Microsoft-Windows-FilterManager", 6, 26),
    ("Microsoft-Windows-GroupPolicy", 1500, 1),
    ("Microsoft-Windows-GroupPolicy", 1501, 2),
    ("Microsoft-Windows-HttpEvent", 15007, 1),
    ("Microsoft-Windows-Kernel-Boot", 153, 3),
    ("Microsoft-Windows-Kernel-Boot", 18, 3),
    ("Microsoft-Windows-Kernel-Boot", 20, 2),
    ("Microsoft-Windows-Kernel-Boot", 25, 3),
    ("Microsoft-Windows-Kernel-Boot", 27, 3),
    ("Microsoft-Windows-Kernel-Boot", 32, 3),
    ("Microsoft-Windows-Kernel-General", 1, 208),
    ("Microsoft-Windows-Kernel-General", 12, 3),
    ("Microsoft-Windows-Kernel-General", 13, 2),
    ("Microsoft-Windows-Kernel-General", 15, 12),
    ("Microsoft-Windows-Kernel-General", 16, 394),
    ("Microsoft-Windows-Kernel-PnP", 219, 3),
    ("Microsoft-Windows-Kernel-Power", 107, 2),
    ("Microsoft-Windows-Kernel-Power", 109, 2),
    ("Microsoft-Windows-Kernel-Power", 172, 3),
    ("Microsoft-Windows-Kernel-Power", 42, 2),
    ("Microsoft-Windows-Kernel-Processor-Power", 55, 12),
    ("Microsoft-Windows-Ntfs", 98, 7),
    ("Microsoft-Windows-Power-Troubleshooter", 1, 2),
    ("Microsoft-Windows-Setup", 2003, 1),
    ("Microsoft-Windows-Setup", 2004, 1),
    ("Microsoft-Windows-TPM-WMI", 1281, 1),
    ("Microsoft-Windows-TPM-WMI", 1282, 1),
    ("Microsoft-Windows-Time-Service", 35, 13),
    ("Microsoft-Windows-Time-Service", 37, 13),
    ("Microsoft-Windows-Time-Service", 52, 1),
    ("Microsoft-Windows-UserModePowerService", 12, 3),
    ("Microsoft-Windows-UserModePowerService", 22, 2),
    ("Microsoft-Windows-UserPnp", 20001, 24),
    ("Microsoft-Windows-UserPnp", 20003, 16),
    ("Microsoft-Windows-WPDClassInstaller", 24576, 2),
    ("Microsoft-Windows-WPDClassInstaller", 24577, 2),
    ("Microsoft-Windows-WPDClassInstaller", 24579, 2),
    ("Microsoft-Windows-WindowsUpdateClient", 19, 116),
    ("Microsoft-Windows-WindowsUpdateClient", 20, 5),
    ("Microsoft-Windows-WindowsUpdateClient", 43, 119),
    ("Microsoft-Windows-WindowsUpdateClient", 44, 137),
    ("Microsoft-Windows-Wininit", 14, 3),
    ("Microsoft-Windows-Winlogon", 7001, 4),
    ("Microsoft-Windows-Winlogon", 7002, 3),
    ("Serial", 2, 1),
    ("Service Control Manager", 7000, 3),
    ("Service Control Manager", 7023, 12),
    ("Service Control Manager", 7026, 3),
    ("Service Control Manager", 7030, 1),
    ("Service Control Manager", 7040, 24),
    ("Service Control Manager", 7045, 57),
    ("User32", 1074, 2),
    ("Workstation", 3261, 1),
    ("cdrom", 51, 1),
    ("e1iexpress", 27, 142),
    ("e1iexpress", 32, 147),
    ("vmci", 3, 3),
];

/// The same for `applicationevtx__Application.evtx`: 2,445 records in 28 chunks (the header
/// counts 27, with 2,431 records).
const APPLICATION_EVTX: &[(&str, u32, u64)] = &[
    (".NET Runtime", 1026, 15),
    (".NET Runtime Optimization Service", 1130, 1),
    ("Application Error", 1000, 20),
    ("Chrome", 256, 8),
    ("Desktop Window Manager", 9027, 5),
    ("ESENT", 102, 13),
    ("ESENT", 105, 13),
    ("ESENT", 300, 12),
    ("ESENT", 301, 15),
    ("ESENT", 302, 12),
    ("ESENT", 325, 1),
    ("ESENT", 326, 12),
    ("EchoUsb", 1, 8),
    ("IntelDalJhi", 0, 38),
    ("LMS", 0, 38),
    ("LMS", 2000, 49),
    ("Microsoft-Windows-CAPI2", 4097, 17),
    ("Microsoft-Windows-CAPI2", 513, 7),
    ("Microsoft-Windows-Defrag", 258, 9),
    ("Microsoft-Windows-Defrag", 264, 3),
    ("Microsoft-Windows-EventSystem", 4625, 38),
    ("Microsoft-Windows-RestartManager", 10000, 250),
    ("Microsoft-Windows-RestartManager", 10001, 250),
    ("Microsoft-Windows-RestartManager", 10002, 1),
    ("Microsoft-Windows-RestartManager", 10005, 21),
    ("Microsoft-Windows-RestartManager", 10010, 1),
    ("Microsoft-Windows-Security-SPP", 1003, 38),
    ("Microsoft-Windows-Security-SPP", 1033, 7),
    ("Microsoft-Windows-Security-SPP", 1034, 70),
    ("Microsoft-Windows-Security-SPP", 1066, 38),
    ("Microsoft-Windows-Security-SPP", 16384, 40),
    ("Microsoft-Windows-Security-SPP", 16394, 40),
    ("Microsoft-Windows-Security-SPP", 900, 39),
    ("Microsoft-Windows-Security-SPP", 902, 38),
    ("Microsoft-Windows-Security-SPP", 903, 37),
    ("Microsoft-Windows-System-Restore", 8300, 7),
    ("Microsoft-Windows-System-Restore", 8301, 7),
    ("Microsoft-Windows-System-Restore", 8302, 7),
    ("Microsoft-Windows-User Profiles Service", 1531, 38),
    ("Microsoft-Windows-User Profiles Service", 1532, 37),
    ("Microsoft-Windows-WMI", 5615, 38),
    ("Microsoft-Windows-WMI", 5617, 38),
    ("Microsoft-Windows-Winlogon", 1002, 2),
    ("Microsoft-Windows-Winlogon", 6000, 112),
    ("Microsoft-Windows-Winlogon", 6003, 38),
    ("Microsoft-Windows-Winsrv", 10001, 7),
    ("MsiInstaller", 1013, 1),
    ("MsiInstaller", 1022, 2),
    ("MsiInstaller", 1029, 1),
    ("MsiInstaller", 1030, 2),
    ("MsiInstaller", 1031, 10),
    ("MsiInstaller", 1033, 185),
    ("MsiInstaller", 1036, 2),
    ("MsiInstaller", 1038, 1),
    ("MsiInstaller", 1040, 184),
    ("MsiInstaller", 1042, 184),
    ("MsiInstaller", 11707, 184),
    ("MsiInstaller", 11708, 1),
    ("SecurityCenter", 1, 38),
    ("SecurityCenter", 2, 2),
    ("Steam Client Service", 2, 1),
    ("System Restore", 8194, 8),
    ("System Restore", 8216, 18),
    ("VSS", 13, 2),
    ("VSS", 8224, 20),
    ("edgeupdate", 0, 64),
];

/// Records in each chunk of `applicationevtx__Application.evtx`, by python-evtx.
const APPLICATION_CHUNKS: [u64; 28] = [
    117, 119, 69, 132, 125, 125, 128, 99, 96, 67, 66, 64, 61, 116, 133, 130, 118, 69, 69, 70, 69,
    54, 69, 75, 81, 56, 54, 14,
];

#[test]
fn corpus_event_xml_reads_to_independent_counts() {
    for (name, want) in XML_COUNTS {
        let Some(path) = corpus::path(&format!("events/{name}")) else {
            return;
        };
        let file = std::fs::File::open(&path).unwrap();
        let mut events = Vec::new();
        let stats = read_xml(BufReader::new(file), |e| events.push(e)).unwrap();
        assert_eq!(counts(&events), table(want), "{name}");
        assert_eq!(stats.records, events.len() as u64, "{name}");
        assert_eq!(stats.malformed, 0, "{name}: {:?}", stats.malformed_samples);
        let cut = name.contains("WAS-5076");
        assert_eq!(
            stats.notes.len(),
            usize::from(cut),
            "{name}: {:?}",
            stats.notes
        );
        assert!(events.iter().all(|e| e.time.is_some()), "{name}");
    }
}

#[test]
fn corpus_evtx_reads_to_python_evtx_counts() {
    for (name, want, kept) in [
        // No IIS event in the chunks its header counts; in the chunks past them, one
        // HttpEvent 15007 (HTTP.sys added a URL reservation: information, kept as HTTP.sys's).
        ("EVTX__system.evtx", SYSTEM_EVTX, 1),
        ("applicationevtx__Application.evtx", APPLICATION_EVTX, 35),
    ] {
        let Some(path) = corpus::path(&format!("events/{name}")) else {
            return;
        };
        let bytes = std::fs::read(&path).unwrap();
        let (events, stats) = read_evtx_bytes(&bytes);
        assert_eq!(counts(&events), table(want), "{name}");
        assert_eq!(stats.malformed, 0, "{name}: {:?}", stats.malformed_samples);
        assert_eq!(
            events.iter().filter(|e| e.is_kept()).count(),
            kept,
            "{name}"
        );
        assert_eq!(stats.notes.len(), 1, "{name}: {:?}", stats.notes);
        assert!(
            stats.notes[0].contains("all were read"),
            "{:?}",
            stats.notes
        );
        assert!(
            events
                .iter()
                .all(|e| e.time.is_some() && e.record.is_some() && e.computer.is_some()),
            "{name}"
        );
    }
}

#[test]
fn application_evtx_crashes_are_the_kept_events() {
    let Some(path) = corpus::path("events/applicationevtx__Application.evtx") else {
        return;
    };
    let (events, _) = read_evtx_bytes(&std::fs::read(path).unwrap());
    let kept = counts(
        &events
            .into_iter()
            .filter(Event::is_kept)
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        kept,
        table(&[("Application Error", 1000, 20), (".NET Runtime", 1026, 15)])
    );
}

#[test]
fn a_damaged_chunk_is_named_and_every_other_chunk_is_read() {
    let Some(path) = corpus::path("events/applicationevtx__Application.evtx") else {
        return;
    };
    let all: u64 = APPLICATION_CHUNKS.iter().sum();
    // (chunk, offset inside it, bytes written, what the note says)
    let cases = [
        (
            12u64,
            0x1000usize,
            &b"damage!!"[..],
            "damaged (bad checksum)",
        ),
        (5, 0, b"NotChnk\0", "damaged (bad magic)"),
        (20, 60, b"\xFF\xFF\xFF\xFF", "damaged (bad header checksum)"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (chunk, at, bytes, says) in cases {
        let copy = dir.path().join(format!("damaged-{chunk}.evtx"));
        std::fs::copy(&path, &copy).unwrap();
        let mut data = std::fs::read(&copy).unwrap();
        let start = FILE_HEADER_SIZE + chunk as usize * CHUNK_SIZE + at;
        data[start..start + bytes.len()].copy_from_slice(bytes);
        std::fs::write(&copy, &data).unwrap();
        let file = std::fs::File::open(&copy).unwrap();
        let mut events = Vec::new();
        let stats = read_evtx(file, |e| events.push(e)).unwrap();
        let want = all - APPLICATION_CHUNKS[chunk as usize];
        assert_eq!(events.len() as u64, want, "chunk {chunk}");
        assert_eq!(stats.records, want);
        let offset = FILE_HEADER_SIZE as u64 + chunk * CHUNK_SIZE as u64;
        let note = format!("chunk {chunk} at byte {offset:#X}: {says}; its records were not read");
        assert!(stats.notes.contains(&note), "{note} in {:?}", stats.notes);
    }
    assert_eq!(
        format!("{:#X}", FILE_HEADER_SIZE as u64 + 12 * CHUNK_SIZE as u64),
        "0xC1000"
    );
}

#[test]
fn an_evtx_cut_inside_a_chunk_keeps_the_chunks_before() {
    let Some(path) = corpus::path("events/applicationevtx__Application.evtx") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    let cut = FILE_HEADER_SIZE + 3 * CHUNK_SIZE + 1234;
    let (events, stats) = read_evtx_bytes(&bytes[..cut]);
    assert_eq!(
        events.len() as u64,
        APPLICATION_CHUNKS[..3].iter().sum::<u64>()
    );
    assert!(
        stats.notes[0].starts_with("chunk 3 at byte 0x31000: cut off (1234 of 65536 bytes)"),
        "{:?}",
        stats.notes
    );
    let mut none = Vec::new();
    let err = read_evtx(Trickle(&bytes[..100]), |e| none.push(e)).unwrap_err();
    assert!(
        err.to_string().contains("cut off inside its header"),
        "{err}"
    );
    let err = read_evtx(Trickle(b"ElfChnk\0"), |e| none.push(e)).unwrap_err();
    assert!(err.to_string().contains("not an .evtx"), "{err}");
}

#[test]
fn an_app_service_file_cut_mid_event_is_read_up_to_the_cut() {
    let Some(path) = corpus::path("events/spaarke__eventlog.prev.xml") else {
        return;
    };
    let text = std::fs::read(&path).unwrap();
    let nth = |needle: &[u8], n: usize| memchr::memmem::find_iter(&text, needle).nth(n).unwrap();
    let complete = |cut: usize| memchr::memmem::find_iter(&text[..cut], b"</Event>").count() as u64;
    // Inside the 500th event's data: that event is named, and kept with what it has.
    let cut = nth(b"<EventData>", 499) + 20;
    let (events, stats) = read_xml_bytes(&text[..cut]).unwrap();
    assert_eq!(complete(cut), 499);
    assert_eq!(events.len(), 500);
    assert_eq!(
        stats.notes,
        [format!(
            "cut off after 499 events (byte {cut}): read up to the cut; event 500, cut inside a \
             <Data> value, kept with what it has"
        )]
    );
    // Before the 700th event's id: it is left out.
    let cut = nth(b"<EventID>", 699) + 3;
    let (events, stats) = read_xml_bytes(&text[..cut]).unwrap();
    assert_eq!(events.len(), 699);
    assert!(
        stats.notes[0]
            .ends_with("event 700, cut inside <System> before its provider and id, left out"),
        "{:?}",
        stats.notes
    );
    // Between two events.
    let cut = nth(b"</Event>", 99) + b"</Event>".len();
    let (events, stats) = read_xml_bytes(&text[..cut]).unwrap();
    assert_eq!(events.len(), 100);
    assert_eq!(
        stats.notes,
        [format!(
            "cut off after 100 events (byte {cut}): read up to the cut"
        )]
    );
}

#[test]
fn a_pasted_event_reads_every_field() {
    let Some(path) = corpus::path("events/FGF-College-Work-Forum__issue174_APPHOSTSVC-9009.xml")
    else {
        return;
    };
    let (events, stats) = read_xml_bytes(&std::fs::read(path).unwrap()).unwrap();
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    assert_eq!(
        events,
        [Event {
            provider: "Microsoft-Windows-IIS-APPHOSTSVC".into(),
            source: Some("APPHOSTSVC".into()),
            id: 9009,
            level: Some(3),
            time: Some(1_570_472_990_981),
            record: Some(48142),
            channel: Some("System".into()),
            computer: Some("myapp".into()),
            process_id: None,
            data: vec![Datum {
                name: Some("Path".into()),
                value: r"C:\inetpub\history\CFGHISTORY_0000000159".into(),
            }],
            binary: Some("12000780".into()),
        }]
    );
}

#[test]
fn a_fragment_cut_inside_system_keeps_its_event() {
    let Some(path) = corpus::path("events/aspnetcore__issue68573_WAS-5076.xml") else {
        return;
    };
    let (events, stats) = read_xml_bytes(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(
        stats.notes,
        [
            "cut off after 0 events (byte 640): read up to the cut; event 1, cut inside <System>, \
          kept with what it has"
        ]
    );
    let e = &events[0];
    assert_eq!((e.provider.as_str(), e.id), ("Microsoft-Windows-WAS", 5076));
    assert_eq!(e.source.as_deref(), Some("WAS"));
    assert_eq!((e.level, e.record), (Some(4), Some(136_003)));
    assert_eq!(e.computer.as_deref(), Some("somecomputer"));
    assert_eq!(
        e.time.map(crate::time::format_rfc3339).as_deref(),
        Some("2026-08-16T00:59:57.692Z")
    );
}

const WEVTUTIL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-WAS' Guid='{524B5D04-133C-4A62-8362-64E8EDB9CE40}' EventSourceName='WAS'/><EventID Qualifiers='49152'>5002</EventID><Level>2</Level><TimeCreated SystemTime='2026-03-01T10:00:00.1234567Z'/><EventRecordID>77</EventRecordID><Execution ProcessID='1234' ThreadID='5'/><Channel>System</Channel><Computer>WEB01</Computer></System><EventData><Data Name='AppPoolID'>Shop &amp; Co</Data><Data Name='Empty'/><Data>at Program.&lt;Main&gt;$ &unknown; &#x41;<![CDATA[<x>]]></Data><Binary>0D000780</Binary></EventData></Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-W3SVC-WP'/><EventID>2276</EventID><TimeCreated SystemTime='2026-03-01T10:00:01+01:00'/><Execution ProcessID='0'/></System><UserData><EventXML xmlns='urn:x'><Param1>a</Param1><Inner><Leaf>b</Leaf></Inner><Empty/></EventXML></UserData></Event>
";

#[test]
fn wevtutil_events_read_data_user_data_and_references() {
    let (events, stats) = read_str(WEVTUTIL);
    assert!(stats.notes.is_empty() && stats.malformed == 0, "{stats:?}");
    let [was, wp] = &events[..] else {
        panic!("{events:?}");
    };
    let datum = |name: Option<&str>, value: &str| Datum {
        name: name.map(String::from),
        value: value.into(),
    };
    assert_eq!((was.id, was.level, was.record), (5002, Some(2), Some(77)));
    assert_eq!(was.process_id, Some(1234));
    assert_eq!(was.time, Some(1_772_359_200_123));
    assert_eq!(
        was.data,
        [
            datum(Some("AppPoolID"), "Shop & Co"),
            datum(Some("Empty"), ""),
            datum(None, "at Program.<Main>$ &unknown; A<x>"),
        ]
    );
    assert_eq!(was.named("apppoolid"), Some("Shop & Co"));
    assert_eq!(was.binary.as_deref(), Some("0D000780"));
    assert_eq!(wp.time, Some(1_772_355_601_000), "an offset is read too");
    assert_eq!(
        (wp.process_id, wp.level, wp.channel.as_deref()),
        (None, None, None)
    );
    assert_eq!(
        wp.data,
        [
            datum(Some("Param1"), "a"),
            datum(Some("Leaf"), "b"),
            datum(Some("Empty"), ""),
        ]
    );
}

#[test]
fn a_malformed_event_is_counted_where_it_is_and_reading_goes_on() {
    let event = |id: &str, time: &str| {
        format!(
            "<Event><System><Provider Name=\"P\"/><EventID>{id}</EventID><TimeCreated SystemTime=\"{time}\"/></System></Event>"
        )
    };
    let ok = "2026-01-01T00:00:00Z";
    let text = format!(
        "<Events>\n{}\n{}\n{}\n{}\n{}\n<Event><System><EventID>1</EventID></System></Event></Events>",
        event("1", ok),
        event("abc", ok),
        event("2", "2150-01-01T00:00:00Z"),
        event("3", "yesterday"),
        event("4", ok),
    );
    let (events, stats) = read_str(&text);
    assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 4]);
    assert_eq!(stats.records, 2);
    assert_eq!(stats.malformed, 4);
    let second = text.match_indices("<Event>").nth(1).unwrap().0;
    let samples: Vec<(u64, &str)> = stats
        .malformed_samples
        .iter()
        .map(|m| (m.line, m.reason.as_str()))
        .collect();
    assert_eq!(
        samples[0],
        (
            3,
            format!("event 2 at byte {second}: EventID `abc` is not a number").as_str()
        )
    );
    assert!(samples[1].1.ends_with(
        "TimeCreated SystemTime `2150-01-01T00:00:00Z` is outside the years 1990 to 2100"
    ));
    assert!(
        samples[2]
            .1
            .ends_with("`yesterday` is not an RFC 3339 time")
    );
    assert!(
        samples[3].1.starts_with("event 6 at byte")
            && samples[3].1.ends_with("no System/Provider Name")
    );
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[test]
fn system_times_as_windows_writes_them() {
    use super::xml::parse_system_time;
    let t = |s| parse_system_time(s).ok();
    let base = 1_770_000_000_000; // 2026-02-02T02:40:00Z
    for (text, want) in [
        ("2026-02-02T02:40:00Z", Some(base)),
        ("2026-02-02T02:40:00.1Z", Some(base + 100)),
        ("2026-02-02T02:40:00.1234567Z", Some(base + 123)),
        ("2026-02-02T02:40:00.123456789Z", Some(base + 123)),
        (" 2026-02-02T02:40:00.999Z ", Some(base + 999)),
        ("2026-02-02T03:40:00+01:00", Some(base)),
        ("2026-02-02T02:40:00.Z", None),
        ("2026-02-02T02:40:00.12a4Z", None),
        ("2026-02-30T02:40:00Z", None),
        ("1989-12-31T23:59:59Z", None),
        ("2101-01-01T00:00:00Z", None),
        ("2026-02-02 02:40:00", None),
        ("", None),
        ("é", None),
    ] {
        assert_eq!(t(text), want, "{text}");
    }
}

#[test]
fn hostile_xml_is_refused_or_capped_never_followed() {
    let good = "<Event><System><Provider Name=\"P\"/><EventID>1</EventID></System></Event>";
    // Entity declarations: refused before any event.
    let entities = format!("<!DOCTYPE Events [<!ENTITY a \"aaaaaaaa\">]><Events>{good}</Events>");
    let err = read_xml_bytes(entities.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("entity declarations"), "{err}");
    // Deep nesting: stops the read, what came before is kept.
    let deep = format!("<Events>{good}<Event><System>{}", "<x>".repeat(100));
    let (events, stats) = read_str(&deep);
    assert_eq!(events.len(), 1);
    assert!(
        stats.notes[0].starts_with("nesting deeper than 64 levels at byte"),
        "{:?}",
        stats.notes
    );
    assert!(
        stats.notes[0].contains("after 1 events: the rest was not read"),
        "{:?}",
        stats.notes
    );
    let err = read_xml_bytes("<x>".repeat(100).as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not Event XML: the root element is <x>"),
        "{err}"
    );
    // A value past the cap is cut on a character boundary; items past MAX_DATA are dropped.
    let huge = "é".repeat(MAX_VALUE);
    let many: String = (0..MAX_DATA + 8)
        .map(|i| format!("<Data>{i}</Data>"))
        .collect();
    let capped = format!(
        "<Event><System><Provider Name=\"P\"/><EventID>1</EventID><Computer>{}</Computer></System><EventData><Data>{huge}</Data>{many}</EventData></Event>",
        "c".repeat(10_000)
    );
    let (events, _) = read_str(&capped);
    let e = &events[0];
    assert_eq!(e.data.len(), MAX_DATA);
    assert!(e.data[0].value.len() <= MAX_VALUE && e.data[0].value.len() > MAX_VALUE - 2);
    assert!(e.data[0].value.chars().all(|c| c == 'é'));
    assert_eq!(e.computer.as_ref().map(String::len), Some(256));
    // One text longer than the parser may hold is refused, not buffered.
    let long = format!(
        "<Events>{good}<Event><EventData><Data>{}</Data></EventData></Event></Events>",
        "x".repeat(crate::input::xml::MAX_PIECE + 10)
    );
    let (events, stats) = read_xml_bytes(long.as_bytes()).unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        stats.notes[0].starts_with("a tag or text longer than 4 MiB"),
        "{:?}",
        stats.notes
    );
    // Bytes that are not UTF-8 stop the read where they are.
    let mut bad = format!("<Events>{good}<Event><EventData><Data>").into_bytes();
    bad.extend(b"\xFF\xFE</Data></EventData></Event></Events>");
    let (events, stats) = read_xml_bytes(&bad).unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        stats.notes[0].contains("the rest was not read"),
        "{:?}",
        stats.notes
    );
}

#[test]
fn the_site_an_event_names() {
    let event = |values: &[(Option<&str>, &str)]| Event {
        provider: "P".into(),
        source: None,
        id: 1,
        level: None,
        time: None,
        record: None,
        channel: None,
        computer: None,
        process_id: None,
        data: values
            .iter()
            .map(|(n, v)| Datum {
                name: n.map(String::from),
                value: v.to_string(),
            })
            .collect(),
        binary: None,
    };
    for (values, want) in [
        (
            &[(
                None,
                "Application 'MACHINE/WEBROOT/APPHOST/LUNARTESTING' with physical root",
            )][..],
            Some(SiteRef::Name("LUNARTESTING")),
        ),
        (
            &[(None, "x"), (None, "machine/webroot/apphost/Shop/api")],
            Some(SiteRef::Name("Shop")),
        ),
        (
            &[(None, r"\\?\C:\home\LogFiles\W3SVC424429371\")],
            Some(SiteRef::Name("W3SVC424429371")),
        ),
        (&[(None, "NOTW3SVC12 W3SVC")], None),
        (&[(Some("SiteID"), " 3 ")], Some(SiteRef::Id(3))),
        (&[(None, "MACHINE/WEBROOT/APPHOST/")], None),
        (&[(None, "Assignment5db")], None),
        (&[], None),
    ] {
        assert_eq!(event(values).site(), want, "{values:?}");
    }
}
