#!/usr/bin/env python3
"""Writes the archive samples under testdata/archives/ from files already in testdata/
(deterministic: fixed times, no file names in gzip headers; run from the repository root).

archives/farm/ holds the sample farm compressed three ways, so scanning it must give the same
totals as scanning testdata/farm: web01.zip is a zipped inetpub folder (nested folders, folder
entries, deflate; its EventLogs folder holds the event logs, one of them gzip-compressed),
web02.zip holds a gzip file inside a zip plus a stored (uncompressed)
member, and web01-httperr1.log is gzip data under a name without .gz.
archives/broken/ holds the archives iisdiag must refuse, each with a clear reason.
"""
import gzip
import io
import os
import struct
import zipfile

SRC = "testdata/farm"
OUT = "testdata/archives"
WHEN = (2026, 11, 18, 12, 0, 0)


def read(path):
    with open(os.path.join(SRC, path), "rb") as f:
        return f.read()


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def zip_bytes(entries):
    """entries: (name, data or None for a folder, compression)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = method
            info.external_attr = (0o40755 << 16) | 0x10 if data is None else 0o100644 << 16
            z.writestr(info, b"" if data is None else data)
    return buf.getvalue()


def write(path, data):
    path = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


D = zipfile.ZIP_DEFLATED
S = zipfile.ZIP_STORED

write("farm/web01.zip", zip_bytes([
    ("inetpub/", None, S),
    ("inetpub/logs/", None, S),
    ("inetpub/logs/LogFiles/", None, S),
    ("inetpub/logs/LogFiles/W3SVC1/", None, S),
    ("inetpub/logs/LogFiles/W3SVC1/u_ex261118.log", read("web01/W3SVC1/u_ex261118.log"), D),
    ("inetpub/logs/FailedReqLogFiles/W3SVC1/fr000412.xml",
     read("web01/FailedReqLogFiles/W3SVC1/fr000412.xml"), D),
    ("inetpub/logs/FailedReqLogFiles/W3SVC1/fr000413.xml",
     read("web01/FailedReqLogFiles/W3SVC1/fr000413.xml"), D),
    # The event logs as a support bundle holds them: one as it is, one gzip-compressed.
    ("EventLogs/System.xml", read("web01/EventLogs/System.xml"), D),
    ("EventLogs/Application.xml.gz", gz(read("web01/EventLogs/Application.xml")), S),
]))
write("farm/web02.zip", zip_bytes([
    ("LogFiles/W3SVC1/u_ex261118.log.gz", gz(read("web02/W3SVC1/u_ex261118.log")), S),
    ("HTTPERR/httperr1.log", read("web02/HTTPERR/httperr1.log"), S),
]))
write("farm/web01-httperr1.log", gz(read("web01/HTTPERR/httperr1.log")))

# A gzip copy cut short: half of the compressed bytes.
whole = gz(read("web01/HTTPERR/httperr1.log"))
write("broken/cut.log.gz", whole[: len(whole) // 2])

# A zip in a zip: refused (one level is read).
with open("testdata/legacy/ex031118.log", "rb") as f:
    LEGACY = f.read()
inner = zip_bytes([("ex031118.log", LEGACY, D)])
write("broken/nested.zip", zip_bytes([("inner.zip", inner, S)]))

# A member whose stored bytes were damaged (its CRC no longer matches), beside a good one.
damaged = zip_bytes([("HTTPERR/httperr1.log", read("web02/HTTPERR/httperr1.log"), S),
                     ("W3SVC1/ex031118.log", LEGACY, S)])
at = damaged.index(b"#Fields:") + 2
damaged = damaged[:at] + b"X" + damaged[at + 1:]
write("broken/crc.zip", damaged)

# The zip magic followed by junk: no archive can be opened.
write("broken/not-a-zip.zip", b"PK\x03\x04" + bytes(range(256)) * 4)

# A member marked encrypted (general-purpose flag bit 0 in both headers).
enc = bytearray(zip_bytes([("u_ex261118.log", read("web02/W3SVC1/u_ex261118.log")[:2000], S)]))
for sig in (b"PK\x03\x04", b"PK\x01\x02"):
    pos = enc.index(sig)
    flag_at = pos + (6 if sig == b"PK\x03\x04" else 8)
    (flags,) = struct.unpack_from("<H", enc, flag_at)
    struct.pack_into("<H", enc, flag_at, flags | 1)
write("broken/encrypted.zip", bytes(enc))

# A member compressed with bzip2, which iisdiag does not read.
write("broken/bzip2.zip", zip_bytes([("u_ex261118.log",
                                      read("web02/W3SVC1/u_ex261118.log")[:2000],
                                      zipfile.ZIP_BZIP2)]))

# An archive with nothing in it but a folder.
write("broken/empty.zip", zip_bytes([("W3SVC1/", None, S)]))
