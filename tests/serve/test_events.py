"""POST /events: the wire contract's events, in order, late, twice and batched, applied to the
fleet host they name; hostile bodies answered 4xx with the reason, never 500, and the server
keeps serving."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.serve.served import event, post, request, status

NODE1 = "52:54:00:aa:01:11"  # hosts[3]'s second MAC
RUN = "8b0c3a7d5e6f40718293a4b5c6d7e8f9"


def host(served, name: str) -> dict:
    (row,) = [h for h in status(served)["hosts"] if h["hostname"] == name]
    return row


def test_an_install_in_order_ends_done(served):
    events = [
        event("started", 0, run=RUN, mac=NODE1, message="install started"),
        event(
            "stage",
            1,
            run=RUN,
            mac=NODE1,
            stage="write",
            stage_title="Writing the OS image",
            percent=10,
        ),
        event("progress", 2, run=RUN, mac=NODE1, stage="write", percent=42),
    ]
    for e in events:
        assert post(served.url("events"), e) == (204, b"")
    row = host(served, "node1")
    assert (row["result"], row["stage"], row["stage_title"], row["percent"]) == (
        "running",
        "write",
        "Writing the OS image",
        42,
    )
    assert post(served.url("events"), event("done", 3, run=RUN, mac=NODE1)) == (204, b"")
    row = host(served, "node1")
    assert (row["result"], row["percent"], row["history"]) == (
        "done",
        100,
        ["started", "stage", "progress", "done"],
    )
    assert row["updated"].endswith("Z")
    firstboot = event("firstboot", 0, run="f" * 32, mac=NODE1, message="booted")
    assert post(served.url("events"), firstboot)[0] == 204
    row = host(served, "node1")
    assert (row["result"], row["firstboot"], row["message"]) == ("done", True, "booted")


def test_late_and_repeated_events_keep_the_highest_seq_per_run(served):
    done = event(
        "failed",
        5,
        run=RUN,
        system_uuid="6B1C0A52-3F0E-4D2C-9A55-0C05E0D0A001",
        stage="write",
        percent=60,
        cause="the disk /dev/sda went away",
        hint="check the cable, then install again",
    )
    late = [
        event(
            "progress",
            n,
            run=RUN,
            stage="write",
            percent=n * 10,
            system_uuid="6b1c0a52-3f0e-4d2c-9a55-0c05e0d0a001",
        )
        for n in (4, 2, 5)
    ]
    assert post(served.url("events"), [done, *late])[0] == 204  # one batch, out of order
    row = host(served, "controller2")
    assert (row["result"], row["percent"], row["cause"], row["hint"]) == (
        "failed",
        60,
        "the disk /dev/sda went away",
        "check the cable, then install again",
    )
    assert row["history"] == ["failed"]
    # a new run (the operator installs again) replaces the failed one
    again = event("started", 0, run="a" * 32, system_uuid="6b1c0a52-3f0e-4d2c-9a55-0c05e0d0a001")
    assert post(served.url("events"), again)[0] == 204
    row = host(served, "controller2")
    assert (row["result"], row["cause"], row["history"]) == ("running", "", ["started"])


def test_an_event_of_no_fleet_host_is_listed_unmatched(served):
    stranger = event("progress", 1, mac="52:54:00:c0:f1:99", hostname="<b>ghost</b>", percent=5)
    assert post(served.url("events"), stranger)[0] == 204
    (row,) = status(served)["unmatched"]
    assert (row["hostname"], row["identity"]["mac"], row["result"]) == (
        "<b>ghost</b>",
        ["52:54:00:c0:f1:99"],
        "running",
    )
    assert "no fleet entry matches" in row["reason"]
    # the hostname alone names a fleet host when no identity does
    assert post(served.url("events"), event("started", 0, run="b" * 32, hostname="node2"))[0] == 204
    assert host(served, "node2")["result"] == "running"


def deep(n: int) -> bytes:
    return b'{"v":1,"x":' + b"[" * n + b"]" * n + b"}"


HOSTILE = [
    (b"", 400, "not JSON"),
    (b"\xff\xfe{}", 400, "not UTF-8"),
    (b"[" * 60000 + b"]" * 60000, 413, "more than 65536"),
    (b"[" * 30000 + b"]" * 30000, 400, "nested too deeply"),
    (deep(5000), 400, "nested too deeply"),
    (b"42", 400, "is not of type 'object'"),
    (b"[]", 400, "an array of 0 events"),
    (json.dumps([event("started", 0)] * 101).encode(), 400, "an array of 101 events"),
    (json.dumps(event("started", "1")).encode(), 400, "seq: '1' is not of type 'integer'"),
    (json.dumps(event("started", -1)).encode(), 400, "seq: -1 is less than the minimum"),
    (json.dumps(event("started", 0, hostname="node1\x1b[2J")).encode(), 400, "host/hostname"),
    (json.dumps(event("started", 0, hostname="a\nb")).encode(), 400, "host/hostname"),
    (json.dumps(event("exploded", 0)).encode(), 400, "kind: 'exploded' is not one of"),
    (json.dumps(event("progress", 0, percent=101)).encode(), 400, "percent: 101 is greater"),
    (json.dumps(event("progress", 0, percent=4.5)).encode(), 400, "percent: 4.5 is not of type"),
    (json.dumps(event("started", 0, run="../../etc")).encode(), 400, "run: '../../etc' does not"),
    (json.dumps(event("started", 0, message="x" * 3000)).encode(), 400, "message: 'xxx"),
    (json.dumps({**event("started", 0), "host": "node1"}).encode(), 400, "host: 'node1' is not"),
    (b'{"v":1,"run":"abcdef12","seq":NaN,"kind":"done","host":{}}', 400, "NaN is not a JSON"),
    (b'{"v":1,"run":"abcdef12","seq":1e999,"kind":"done","host":{}}', 400, "seq: inf is not"),
    (json.dumps({**event("started", 0), "v": 2}).encode(), 400, "v: 1 was expected"),
]


@pytest.mark.parametrize(("body", "code", "reason"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_are_4xx_with_the_reason_and_the_server_stays_up(served, body, code, reason):
    got, text = post(served.url("events"), body)
    assert got == code, text[:300]
    assert reason in text.decode(), text[:300]
    assert len(text) < 400 and "\x1b" not in text.decode()
    assert all(h["result"] == "pending" for h in status(served)["hosts"])
    assert status(served)["unmatched"] == []


def test_a_huge_chunked_body_is_cut_at_64_kib(served):
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    conn.putrequest("POST", "/events")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "application/json")
    conn.endheaders()
    try:
        for _ in range(64):  # 4 MiB offered; the server stops reading after 64 KiB
            conn.send(b"4000\r\n" + b" " * 0x4000 + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert conn.getresponse().status == 413
    conn.close()
    assert request(served.url("status"))[0] == 200


def test_a_huge_declared_length_is_refused_before_reading(served):
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    conn.putrequest("POST", "/events")
    conn.putheader("Content-Length", str(1 << 30))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
