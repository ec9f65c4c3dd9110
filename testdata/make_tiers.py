#!/usr/bin/env python3
"""Writes testdata/tiers/: two ARR front ends (web01, web02) and two farm servers (app01,
app02), one W3C log each, that show the three pairing outcomes of `scan`'s tiers section:
web01's 502.3.12002 answered late by app01 (three paired by X-ARR-LOG-ID, two by URL,
method and client, one logged by no backend), web02's 502.3.12029 logged by no backend
(never reached), web02's 500.0.0 logged by app02 as 500.0.0 (failed behind the proxy)."""
import datetime, os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiers")
DAY = datetime.datetime(2026, 11, 30, 10, 0, 0)
FRONT = "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status sc-substatus sc-win32-status time-taken X-ARR-LOG-ID"
BACK = "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip X-Forwarded-For sc-status sc-substatus sc-win32-status time-taken X-ARR-LOG-ID"
IP = {"web01": "10.0.1.11", "web02": "10.0.1.12", "app01": "10.0.2.21", "app02": "10.0.2.22"}
logs = {name: [] for name in IP}


def line(server, end_ms, method, stem, client, status, sub, win32, taken, log_id="-", xff=None):
    t = DAY + datetime.timedelta(milliseconds=end_ms)
    cols = [t.strftime("%Y-%m-%d"), t.strftime("%H:%M:%S"), "W3SVC1", server.upper(), IP[server],
            method, stem, "-", "80", client]
    if xff is not None:
        cols.append(xff)
    cols += [str(status), str(sub), str(win32), str(taken), log_id]
    logs[server].append((end_ms, " ".join(cols)))


def proxied(front, back, start, method, stem, client, front_code, front_taken, back_code,
            back_taken, log_id="-", logged=True):
    """One request through `front` to `back`: the backend starts 5 ms after the front end."""
    line(front, start + front_taken, method, stem, client, *front_code, front_taken, log_id)
    if logged:
        line(back, start + 5 + back_taken, method, stem, IP[front], *back_code, back_taken,
             log_id, xff=client)


def client(n):
    return f"203.0.113.{10 + n % 40}"


# Healthy traffic through both front ends to both farm servers.
for i in range(40):
    front = ("web01", "web02")[i % 2]
    back = ("app01", "app02")[(i // 2) % 2]
    lid = f"{{6f0c{i:04x}-11aa-4b2c-9d3e-2a1b0c9d8e{i:02x}}}" if front == "web01" else "-"
    proxied(front, back, i * 60_000 + 1_000, "GET", "/", client(i), (200, 0, 0), 40 + i,
            (200, 0, 0), 30 + i, lid)

# Answered late: ARR gave up after its 30 s timeout, app01 answered 200 after 31-58 s.
late = [31_000, 37_500, 44_000, 52_300, 58_000]
for i, taken in enumerate(late):
    lid = f"{{a1b2c3d{i}-0000-4000-8000-00000000000{i}}}" if i < 3 else "-"
    proxied("web01", "app01", 300_000 + i * 97_000, "GET", "/api/report", client(i + 3),
            (502, 3, 12002), 30_010 + i, (200, 0, 0), taken, lid)
# One more timeout that no farm server logged.
proxied("web01", "app01", 900_000, "GET", "/api/report", client(9), (502, 3, 12002), 30_004,
        None, None, logged=False)

# Never reached: web02 could not connect to the farm; no farm server logged these.
for i in range(4):
    proxied("web02", "app02", 1_200_000 + i * 45_000, "GET", "/api/orders", client(i + 20),
            (502, 3, 12029), 21_030 + i, None, None, logged=False)

# Failed behind: app02's application failed and web02 passed its 500 on.
for i in range(3):
    proxied("web02", "app02", 1_500_000 + i * 30_000, "POST", "/api/checkout", client(i + 30),
            (500, 0, 0), 1_250 + i * 100, (500, 0, 0), 1_200 + i * 100)

for server, rows in logs.items():
    folder = os.path.join(ROOT, server, "W3SVC1")
    os.makedirs(folder, exist_ok=True)
    fields = FRONT if server.startswith("web") else BACK
    with open(os.path.join(folder, "u_ex261130.log"), "w", newline="\r\n") as f:
        f.write("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n")
        f.write(f"#Date: 2026-11-30 10:00:00\n#Fields: {fields}\n")
        for _, row in sorted(rows):
            f.write(row + "\n")
