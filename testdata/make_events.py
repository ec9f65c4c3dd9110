#!/usr/bin/env python3
"""Writes the Windows event samples (deterministic; run from the repository root).

No public .evtx holds WAS events, so these are written by us from Microsoft's documented
event texts and fields (the IIS 7.5 event pages: "IIS Application Pool Availability",
"IIS Application Pool Recycling", "IIS Worker Process Availability"), in the two XML shapes
Windows exports:

- `wevtutil qe System /f:xml`: bare <Event> elements, one a line, oldest first, no root, no
  rendered message (testdata/events/was-system.xml);
- Event Viewer's "Save Selected Events..." as XML: an XML declaration, an <Events> root, one
  event a line, newest first (the viewer's default order), each with its RenderingInfo
  (testdata/events/w3svc-wp.xml and the farm's EventLogs).

The farm story (testdata/farm/web01, see make_w3c.py): OrdersPool on WEB01 crashes five times
between 11:36 and 11:40 UTC on 2026-11-18 (an access violation in Orders.Native.dll): each
crash is an Application Error 1000 and a Windows Error Reporting 1001 in the Application log
and a WAS 5011 in the System log; the fifth, at 11:40:00, is when HTTP.sys abandons the queued
requests (Connection_Abandoned_By_ReqQueue at 11:40:01), and at 11:40:02 WAS 5002 disables the
pool, so HTTP.sys answers 503 AppOffline from 11:40:23. Two regular recycles earlier that
morning (WAS 5074, OrdersPool at 09:29 and ReportsPool at 10:12) go with no failure.

Data item names: AppPoolID and ProcessID are the names published WAS event XML carries (5011,
5139, 5189); ModuleDll is W3SVC-WP 2280's. Names no published XML shows (the third item of
WAS 5009 and 5186, the items of W3SVC-WP 2282) are written paramN, the way WAS 5139 names its
third item. Application Error 1000 and Windows Error Reporting 1001 use the names of current
Windows (AppName ... PackageRelativeAppId; Bucket ... CabGuid).
"""
import hashlib
import os
import struct
import uuid
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

NS = "http://schemas.microsoft.com/win/2004/08/events/event"
WAS = ("Microsoft-Windows-WAS", "{524B5D04-133C-4A62-8362-64E8EDB9CE40}", "WAS")
W3SVC_WP = ("Microsoft-Windows-IIS-W3SVC-WP", "{670080D9-742A-4187-8D16-41143D1290BD}", "W3SVC-WP")
APP_ERROR = ("Application Error", "{a0e9b465-b939-57d7-b27d-95d8e925ff57}", None)
WER = ("Windows Error Reporting", "{0ead09bd-2157-539a-8d6d-c87f95b64d70}", None)
CLASSIC = "0x80000000000000"
MANIFEST = "0x8000000000000000"
# (Qualifiers, Level) of the classic (message-file) providers; the level names for rendering.
ERROR, WARNING, INFO = ("49152", 2), ("32768", 3), ("16384", 4)
LEVEL_NAMES = {2: "Error", 3: "Warning", 4: "Information"}
# The pool whose identity is used for the crashing w3wp.exe: IIS APPPOOL\OrdersPool.
W3WP = r"c:\windows\system32\inetsrv\w3wp.exe"
W3WP_VERSION, W3WP_STAMP = "10.0.20348.1", "1a5a0f3b"
NATIVE = r"D:\Sites\Orders\bin\Orders.Native.dll"
NATIVE_VERSION, NATIVE_STAMP = "3.4.1.0", "6710c2a4"


def pool_sid(pool):
    """The virtual account SID of IIS APPPOOL\\POOL: S-1-5-82 and the SHA-1 of the lower-cased
    name in UTF-16LE as five little-endian numbers (gives DefaultAppPool's well-known SID)."""
    digest = hashlib.sha1(pool.lower().encode("utf-16-le")).digest()
    return "S-1-5-82-" + "-".join(str(n) for n in struct.unpack("<5I", digest))


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond * 10:07d}Z"


def filetime_hex(t):
    """A FILETIME (100 ns since 1601) in hex, as Application Error writes ProcessCreationTime."""
    ticks = (t - datetime(1601, 1, 1)) // timedelta(microseconds=1) * 10
    return f"0x{ticks:x}"


def guid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "iisdiag-testdata/" + name))


class Ev:
    """One event: the System part, the data items (name, value) or None for a classic event
    without names, binary hex digits, and the rendered message (Event Viewer files only)."""

    def __init__(self, provider, eid, t, record, channel, computer, level, data,
                 binary=None, message=None, task=0, task_name="None", execution=(0, 0),
                 user=None, keywords=CLASSIC, classic=True):
        self.provider, self.eid, self.t, self.record = provider, eid, t, record
        self.channel, self.computer, self.level, self.data = channel, computer, level, data
        self.binary, self.message, self.task, self.task_name = binary, message, task, task_name
        self.execution, self.user, self.keywords, self.classic = execution, user, keywords, classic

    def xml(self, rendered):
        name, guid_, source = self.provider
        qualifiers, level = self.level
        src = f" EventSourceName='{source}'" if source else ""
        eid = f"<EventID Qualifiers='{qualifiers}'>{self.eid}</EventID>" if self.classic \
            else f"<EventID>{self.eid}</EventID>"
        security = f"<Security UserID='{self.user}'/>" if self.user else "<Security/>"
        parts = [
            f"<Event xmlns='{NS}'><System><Provider Name='{name}' Guid='{guid_}'{src}/>",
            eid, "<Version>0</Version>", f"<Level>{level}</Level>", f"<Task>{self.task}</Task>",
            "<Opcode>0</Opcode>", f"<Keywords>{self.keywords}</Keywords>",
            f"<TimeCreated SystemTime='{stamp(self.t)}'/>",
            f"<EventRecordID>{self.record}</EventRecordID>", "<Correlation/>",
            f"<Execution ProcessID='{self.execution[0]}' ThreadID='{self.execution[1]}'/>",
            f"<Channel>{self.channel}</Channel>", f"<Computer>{self.computer}</Computer>",
            security, "</System><EventData>",
        ]
        for item_name, value in self.data:
            attr = f" Name='{item_name}'" if item_name else ""
            parts.append(f"<Data{attr}>{escape(value)}</Data>" if value else f"<Data{attr}></Data>")
        if self.binary:
            parts.append(f"<Binary>{self.binary}</Binary>")
        parts.append("</EventData>")
        if rendered and self.message:
            keywords = "<Keywords><Keyword>Classic</Keyword></Keywords>" if self.classic else "<Keywords></Keywords>"
            parts.append(
                f"<RenderingInfo Culture='en-US'><Message>{escape(self.message)}</Message>"
                f"<Level>{LEVEL_NAMES[level]}</Level><Task>{self.task_name}</Task>"
                f"{keywords}</RenderingInfo>")
        parts.append("</Event>")
        return "".join(parts)


def was(eid, t, record, computer, level, data, binary=None, message=None):
    return Ev(WAS, eid, t, record, "System", computer, level, data, binary, message)


def was_message(eid, pool, pid=None):
    """The WAS message texts of the farm story, as the IIS 7.5 event pages give them."""
    texts = {
        5002: f"Application pool '{pool}' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
        5011: f"A process serving application pool '{pool}' suffered a fatal communication error with the Windows Process Activation Service. The process id was '{pid}'. The data field contains the error number.",
        5074: f"A worker process with process id of '{pid}' serving application pool '{pool}' has requested a recycle because the worker process reached its allowed processing time limit.",
    }
    return texts[eid]


def pool_pid(pool, pid):
    return [("AppPoolID", pool), ("ProcessID", str(pid))]


def pid_pool(pid, pool):
    return [("ProcessID", str(pid)), ("AppPoolID", pool)]


def was_sample():
    """A day of one server's WAS events, every id the knowledge base explains for pools."""
    host = "IISHOST"
    day = datetime(2026, 11, 20)
    at = lambda h, m, s, us: day.replace(hour=h, minute=m, second=s, microsecond=us)
    rows = [
        (5074, at(2, 14, 7, 312400), INFO, pid_pool(3104, "ShopPool"), None),
        (5076, at(3, 0, 0, 15300), INFO, pid_pool(3620, "ReportsPool"), None),
        (5186, at(4, 21, 40, 880100), INFO, pid_pool(2208, "IntranetPool") + [("param3", "20")], None),
        (5117, at(8, 47, 19, 402600), INFO, pid_pool(4412, "ShopPool"), None),
        (5013, at(8, 49, 9, 511000), WARNING, pool_pid("ShopPool", 4412), None),
        (5080, at(9, 30, 12, 77700), INFO, [("AppPoolID", "ShopPool")], None),
        (5079, at(9, 41, 55, 650200), INFO, [("AppPoolID", "IntranetPool")], None),
        (5010, at(10, 3, 31, 204900), WARNING, pool_pid("ShopPool", 5016), None),
        (5009, at(10, 15, 2, 993300), WARNING, pool_pid("ShopPool", 5380) + [("param3", "e0434352")], None),
        (5011, at(10, 15, 48, 120500), WARNING, pool_pid("ShopPool", 5592), "6D000780"),
        (5011, at(10, 16, 30, 458000), WARNING, pool_pid("ShopPool", 5748), "6D000780"),
        (5011, at(10, 17, 12, 907600), WARNING, pool_pid("ShopPool", 5904), "6D000780"),
        (5011, at(10, 17, 59, 361200), WARNING, pool_pid("ShopPool", 6060), "6D000780"),
        (5002, at(10, 18, 1, 10900), ERROR, [("AppPoolID", "ShopPool")], None),
        (5021, at(11, 2, 44, 730400), WARNING, [("AppPoolID", "PayrollPool")], "2E050780"),
        (5057, at(11, 3, 10, 228100), WARNING, [("AppPoolID", "PayrollPool")], None),
        (5059, at(11, 20, 5, 640300), ERROR, [("AppPoolID", "LegacyPool")], None),
    ]
    events = []
    for n, (eid, t, level, data, binary) in enumerate(rows):
        events.append(was(eid, t, 184200 + 3 * n, host, level, data, binary))
    return events


def module_sample():
    """W3SVC-WP module load failures: a module whose dependency is missing (126), one the pool
    identity cannot read (5), and a 64-bit module in a 32-bit pool (193, 2282)."""
    host = "IISHOST"
    day = datetime(2026, 11, 21)
    rows = [
        (2280, day.replace(hour=7, minute=5, second=12, microsecond=404100),
         [("ModuleDll", r"C:\Windows\system32\inetsrv\rewrite.dll")], "7E000000",
         r"The Module DLL C:\Windows\system32\inetsrv\rewrite.dll failed to load.  The data is the error."),
        (2280, day.replace(hour=7, minute=41, second=3, microsecond=887300),
         [("ModuleDll", r"D:\Modules\AuthGate\authgate64.dll")], "05000000",
         r"The Module DLL D:\Modules\AuthGate\authgate64.dll failed to load.  The data is the error."),
        (2282, day.replace(hour=8, minute=12, second=45, microsecond=129600),
         [("param1", r"C:\Program Files\Contoso\Agent\contoso_iis64.dll"), ("param2", "x86")], "C1000000",
         r"The Module DLL 'C:\Program Files\Contoso\Agent\contoso_iis64.dll' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a x86 processor architecture. The data field contains the error number."),
    ]
    return [Ev(W3SVC_WP, eid, t, 77310 + n, "Application", host, ERROR, data, binary, msg)
            for n, (eid, t, data, binary, msg) in enumerate(rows)]


CRASH_PIDS = [4120, 5232, 6088, 6344, 7012]
# When each process crashed; WAS reports the broken pipe 0.3-0.5 s later.
CRASH_TIMES = [
    datetime(2026, 11, 18, 11, 36, 10, 204100),
    datetime(2026, 11, 18, 11, 37, 4, 815700),
    datetime(2026, 11, 18, 11, 38, 1, 530200),
    datetime(2026, 11, 18, 11, 39, 0, 712900),
    datetime(2026, 11, 18, 11, 40, 0, 418300),
]
# When each crashing process had started: the first at the 09:29 recycle, the others when
# WAS started a new process for the next request after a crash.
START_TIMES = [datetime(2026, 11, 18, 9, 29, 13, 602100)] + [t + timedelta(seconds=2, microseconds=351000) for t in CRASH_TIMES[:4]]
OFFSET = "000000000002b7e4"


def farm_system():
    host = "WEB01"
    events = []
    record = 92410

    def add(eid, t, level, data, binary=None, pool="OrdersPool", pid=None):
        nonlocal record
        record += 1
        events.append(was(eid, t, record, host, level, data, binary, was_message(eid, pool, pid)))

    add(5074, datetime(2026, 11, 18, 9, 29, 11, 904500), INFO, pid_pool(2988, "OrdersPool"), pid=2988)
    add(5074, datetime(2026, 11, 18, 10, 12, 37, 260800), INFO, pid_pool(3544, "ReportsPool"), pool="ReportsPool", pid=3544)
    for pid, t in zip(CRASH_PIDS, CRASH_TIMES):
        add(5011, t + timedelta(microseconds=300000 + pid % 200 * 1000), WARNING, pool_pid("OrdersPool", pid), "6D000780", pid=pid)
    add(5002, datetime(2026, 11, 18, 11, 40, 2, 106400), ERROR, [("AppPoolID", "OrdersPool")])
    return events


def pools_system():
    """SHOP02 of testdata/config-pools: pool Shop (rapidFailProtectionMaxCrashes 3) crashes three
    times in 3 min 10 s on 2026-11-26 and WAS disables it; HTTP.sys then answers AppOffline."""
    host = "SHOP02"
    events = []
    crashes = [(5120, datetime(2026, 11, 26, 10, 5, 0, 120400)),
               (5384, datetime(2026, 11, 26, 10, 6, 10, 331000)),
               (5512, datetime(2026, 11, 26, 10, 8, 10, 120400))]
    for n, (pid, t) in enumerate(crashes):
        events.append(was(5011, t, 40110 + n, host, WARNING, pool_pid("Shop", pid), "6D000780",
                          was_message(5011, "Shop", pid)))
    events.append(was(5002, datetime(2026, 11, 26, 10, 8, 12, 4100), 40113, host, ERROR,
                      [("AppPoolID", "Shop")], None, was_message(5002, "Shop")))
    return events


def farm_application():
    host = "WEB01"
    events = []
    record = 318760
    sid = pool_sid("OrdersPool")
    for n, (pid, t, started) in enumerate(zip(CRASH_PIDS, CRASH_TIMES, START_TIMES)):
        report = guid(f"web01-crash-{n}")
        wer_pid = 8120 + 36 * n
        record += 1
        events.append(Ev(
            APP_ERROR, 1000, t, record, "Application", host, ("0", 2),
            [("AppName", "w3wp.exe"), ("AppVersion", W3WP_VERSION), ("AppTimeStamp", W3WP_STAMP),
             ("ModuleName", "Orders.Native.dll"), ("ModuleVersion", NATIVE_VERSION),
             ("ModuleTimeStamp", NATIVE_STAMP), ("ExceptionCode", "c0000005"),
             ("FaultingOffset", OFFSET), ("ProcessId", f"0x{pid:x}"),
             ("ProcessCreationTime", filetime_hex(started)), ("AppPath", W3WP),
             ("ModulePath", NATIVE), ("IntegratorReportId", report), ("PackageFullName", ""),
             ("PackageRelativeAppId", "")],
            message=(
                f"Faulting application name: w3wp.exe, version: {W3WP_VERSION}, time stamp: 0x{W3WP_STAMP}\n"
                f"Faulting module name: Orders.Native.dll, version: {NATIVE_VERSION}, time stamp: 0x{NATIVE_STAMP}\n"
                "Exception code: 0xc0000005\n"
                f"Fault offset: 0x{OFFSET}\n"
                f"Faulting process id: 0x{pid:x}\n"
                f"Faulting application start time: {filetime_hex(started)}\n"
                f"Faulting application path: {W3WP}\n"
                f"Faulting module path: {NATIVE}\n"
                f"Report Id: {report}\n"
                "Faulting package full name: \n"
                "Faulting package-relative application ID: "),
            task=100, task_name="Application Crashing Events", execution=(wer_pid, wer_pid + 12),
            user=sid, keywords=MANIFEST, classic=False))
        archive = (r"\\?\C:\ProgramData\Microsoft\Windows\WER\ReportArchive\AppCrash_w3wp.exe_"
                   + hashlib.sha1(report.encode()).hexdigest()[:40] + f"_{pid:08x}_" + report)
        record += 1
        signature = [("P1", "w3wp.exe"), ("P2", W3WP_VERSION), ("P3", W3WP_STAMP),
                     ("P4", "Orders.Native.dll"), ("P5", NATIVE_VERSION), ("P6", NATIVE_STAMP),
                     ("P7", "c0000005"), ("P8", OFFSET), ("P9", ""), ("P10", "")]
        events.append(Ev(
            WER, 1001, t + timedelta(seconds=1, microseconds=650000 + 10000 * n), record,
            "Application", host, ("0", 4),
            [("Bucket", ""), ("BucketType", "0"), ("EventName", "APPCRASH"),
             ("Response", "Not available"), ("CabId", "0")] + signature
            + [("AttachedFiles", ""), ("StorePath", archive), ("AnalysisSymbol", ""),
               ("Rechecking", "0"), ("ReportId", report), ("ReportStatus", "268435456"),
               ("HashedBucket", ""), ("CabGuid", "0")],
            message=(
                "Fault bucket , type 0\nEvent Name: APPCRASH\nResponse: Not available\nCab Id: 0\n\n"
                "Problem signature:\n" + "".join(f"{k}: {v}\n" for k, v in signature)
                + f"\nAttached files:\n\nThese files may be available here:\n{archive}\n\n"
                f"Analysis symbol: \nRechecking for solution: 0\nReport Id: {report}\n"
                "Report Status: 268435456\nHashed bucket: \nCab Guid: 0"),
            execution=(wer_pid, wer_pid + 40), keywords=MANIFEST, classic=False))
    return events


def wevtutil(path, events):
    """Bare <Event> lines, oldest first, CRLF."""
    events = sorted(events, key=lambda e: e.t)
    with open(path, "w", encoding="utf-8", newline="\r\n") as f:
        for e in events:
            f.write(e.xml(rendered=False) + "\n")


def saved_as_xml(path, events):
    """Event Viewer's "Save Selected Events" as XML: newest first, with rendering, CRLF."""
    events = sorted(events, key=lambda e: e.t, reverse=True)
    with open(path, "w", encoding="utf-8", newline="\r\n") as f:
        f.write('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<Events>\n')
        for e in events:
            f.write(e.xml(rendered=True) + "\n")
        f.write("</Events>\n")


def main():
    os.makedirs("testdata/events", exist_ok=True)
    wevtutil("testdata/events/was-system.xml", was_sample())
    saved_as_xml("testdata/events/w3svc-wp.xml", module_sample())
    os.makedirs("testdata/farm/web01/EventLogs", exist_ok=True)
    saved_as_xml("testdata/farm/web01/EventLogs/System.xml", farm_system())
    saved_as_xml("testdata/farm/web01/EventLogs/Application.xml", farm_application())
    os.makedirs("testdata/config-pools/EventLogs", exist_ok=True)
    saved_as_xml("testdata/config-pools/EventLogs/System.xml", pools_system())


if __name__ == "__main__":
    main()
