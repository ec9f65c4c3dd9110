#!/usr/bin/env python3
"""Writes testdata/tiers/: two ARR front ends (web01, web02) and two farm servers (app01,
app02), one W3C log each, and FREB traces of some front-end failures, that show the four
pairing outcomes of `scan`'s tiers section: web01's 502.3.12002 answered late by app01 as
200.0.64 or 200.0.1236 (three paired by X-ARR-LOG-ID in both W3C logs, one by the id its
front-end trace carries, one by URL, method and client; one more routed to app01 by its
trace that app01 never logged), web02's 502.3.12029 routed to app02 (10.0.2.22) by their
traces and logged by no backend (never reached), web02's 502.3.12030 answered in time by
app01 (the answer lost between the tiers), web02's 500.0.0 logged by app02 as 500.0.0
(failed behind the proxy). web01's applicationHost.config defines the farm (app01.internal,
10.0.2.22) with ARR's 30 s timeout."""
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
            back_taken, log_id="-", logged=True, front_id=None):
    """One request through `front` to `back`: the backend starts 5 ms after the front end.
    `front_id` is the id the front end's W3C log shows, when it is not `log_id`."""
    shown = log_id if front_id is None else front_id
    line(front, start + front_taken, method, stem, client, *front_code, front_taken, shown)
    if logged:
        line(back, start + 5 + back_taken, method, stem, IP[front], *back_code, back_taken,
             log_id, xff=client)


TRACES = []
EVENT = """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
 <System>
  <Provider Name="WWW Server" Guid="{{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}}"/>
  <EventID>0</EventID>
  <Version>1</Version>
  <Level>{level}</Level>
  <Opcode>{opcode}</Opcode>
  <Keywords>0x0</Keywords>
  <TimeCreated SystemTime="{time}"/>
  <Correlation ActivityID="{activity}"/>
  <Execution ProcessID="3310" ThreadID="2208"/>
  <Computer>{computer}</Computer>
 </System>
 <EventData>
  <Data Name="ContextId">{activity}</Data>
{data} </EventData>
 <RenderingInfo Culture="en-US">
  <Opcode>{name}</Opcode>
 </RenderingInfo>
</Event>
"""


def trace(front, start, method, stem, client, code, taken, routed, log_id):
    """A FREB trace of one front-end failure: its X-ARR-LOG-ID request header and the
    server ARR_SERVER_ROUTED names."""
    n = len(TRACES) + 1
    activity = f"{{80000{n:03d}-0001-F800-B63F-84710C7967BB}}"
    url = f"http://shop.example.com:80{stem}"
    t0 = DAY + datetime.timedelta(milliseconds=start)
    t1 = t0 + datetime.timedelta(milliseconds=taken)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    status, sub, win32 = code
    headers = f"Host: shop.example.com\nAccept: */*\nX-Forwarded-For: {client}\n"
    if log_id != "-":
        headers += f"X-ARR-LOG-ID: {log_id}\n"
    events = [
        ("GENERAL_REQUEST_START", 1, 4, t0, {"RequestURL": url, "RequestVerb": method}),
        ("GENERAL_ENDPOINT_INFORMATION", 55, 4, t0,
         {"RemoteAddress": client, "RemotePort": "51544", "LocalAddress": IP[front],
          "LocalPort": "80"}),
        ("GENERAL_REQUEST_HEADERS", 50, 4, t0, {"Headers": headers}),
        ("ARR_SERVER_ROUTED", 1, 4, t0,
         {"RoutingReason": "LoadBalancing", "Server": routed, "State": "Active",
          "TotalRequests": "412", "FailedRequests": "9", "CurrentRequests": "3"}),
        ("MODULE_SET_RESPONSE_ERROR_STATUS", 16, 3, t1,
         {"ModuleName": "ApplicationRequestRouting", "Notification": "128",
          "HttpStatus": str(status), "HttpReason": "Bad Gateway", "HttpSubStatus": str(sub),
          "ErrorCode": str(0x80070000 + win32 if win32 < 12000 else 0x80070000 | win32),
          "ConfigExceptionInfo": ""}),
        ("GENERAL_REQUEST_END", 2, 4, t1,
         {"BytesSent": "1477", "BytesReceived": "412", "HttpStatus": str(status),
          "HttpSubStatus": str(sub)}),
    ]
    body = "".join(
        EVENT.format(level=level, opcode=op, time=stamp(t), activity=activity,
                     computer=front.upper(), name=name,
                     data="".join(f'  <Data Name="{k}">{v}</Data>\n' for k, v in data.items()))
        for name, op, level, t, data in events)
    head = (f'<?xml version="1.0" encoding="UTF-8" ?>\n<failedRequest url="{url}"\n'
            f'               siteId="1"\n               appPoolId="arr-front"\n'
            f'               processId="3310"\n               verb="{method}"\n'
            f'               activityId="{activity}"\n               failureReason="STATUS_CODE"\n'
            f'               statusCode="{status}"\n               triggerStatusCode="{status}"\n'
            f'               timeTaken="{taken}"\n'
            f'               xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb"\n'
            f'               >\n')
    TRACES.append((front, f"fr{n:06d}.xml", head + body + "</failedRequest>\n"))


def client(n):
    return f"203.0.113.{10 + n % 40}"


# Healthy traffic through both front ends to both farm servers.
for i in range(40):
    front = ("web01", "web02")[i % 2]
    back = ("app01", "app02")[(i // 2) % 2]
    lid = f"{{6f0c{i:04x}-11aa-4b2c-9d3e-2a1b0c9d8e{i:02x}}}" if front == "web01" else "-"
    proxied(front, back, i * 60_000 + 1_000, "GET", "/", client(i), (200, 0, 0), 40 + i,
            (200, 0, 0), 30 + i, lid)

# Answered late: ARR gave up after its 30 s timeout, app01 answered after 31-58 s, logged
# as 200.0.64 (the proxy had closed the connection), once as 200.0.1236. The first three
# carry X-ARR-LOG-ID in both W3C logs; the fourth only in app01's log and web01's trace.
late = [(31_000, 64), (37_500, 64), (44_000, 1236), (52_300, 64), (58_000, 64)]
for i, (taken, win32) in enumerate(late):
    lid = f"{{a1b2c3d{i}-0000-4000-8000-00000000000{i}}}" if i < 4 else "-"
    start = 300_000 + i * 97_000
    proxied("web01", "app01", start, "GET", "/api/report", client(i + 3), (502, 3, 12002),
            30_010 + i, (200, 0, win32), taken, lid, front_id="-" if i == 3 else None)
    if i == 3:
        trace("web01", start, "GET", "/api/report", client(i + 3), (502, 3, 12002),
              30_010 + i, "app01.internal:80", lid)
# One more timeout, routed to app01 by its trace, that app01 never logged.
proxied("web01", "app01", 900_000, "GET", "/api/report", client(9), (502, 3, 12002), 30_004,
        None, None, logged=False)
trace("web01", 900_000, "GET", "/api/report", client(9), (502, 3, 12002), 30_004,
      "app01.internal:80", "{a1b2c3d9-0000-4000-8000-000000000009}")

# Never reached: web02 could not connect to app02, where ARR routed them (their traces
# name it by address); no farm server logged these.
for i in range(4):
    start = 1_200_000 + i * 45_000
    proxied("web02", "app02", start, "GET", "/api/orders", client(i + 20), (502, 3, 12029),
            21_030 + i, None, None, logged=False)
    trace("web02", start, "GET", "/api/orders", client(i + 20), (502, 3, 12029), 21_030 + i,
          "10.0.2.22", "-")

# Answer lost: app01 answered in 80-120 ms, but web02 logged 502.3.12030 (the connection
# was reset on the way back) after 2.1 s.
for i in range(2):
    proxied("web02", "app01", 1_700_000 + i * 40_000, "GET", "/api/stock", client(i + 35),
            (502, 3, 12030), 2_100 + i * 10, (200, 0, 0), 80 + i * 40)

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

for server, name, text in TRACES:
    folder = os.path.join(ROOT, server, "FailedReqLogFiles", "W3SVC1")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", newline="\r\n") as f:
        f.write(text)

FARM = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <webFarms>
    <webFarm name="appfarm" enabled="true">
      <server address="app01.internal" enabled="true" />
      <server address="10.0.2.22" enabled="true" />
      <applicationRequestRouting>
        <protocol timeout="00:00:30" />
      </applicationRequestRouting>
    </webFarm>
  </webFarms>
</configuration>
"""
with open(os.path.join(ROOT, "web01", "applicationHost.config"), "w", newline="\r\n") as f:
    f.write(FARM)
