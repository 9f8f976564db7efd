"""The wire contract's one module (support.eventwire) and the report URL's one rule
(answers.validate.report_url, shared by report:, cos.report= and --report)."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cos_installer.answers.validate import FieldError, report_url
from cos_installer.common.shown import url_shown
from cos_installer.install.stages import TITLES
from cos_installer.live import boot
from cos_installer.support.eventwire import (
    MAX_BATCH,
    WireError,
    encode_batch,
    host_identity,
    make_event,
    one_line,
    parse_body,
)

HOST = host_identity("node1", "agent", ["52:54:00:AA:BB:01", "52-54-00-aa-bb-02", "bogus"],
                     " 4C4C4544-0042 ", "SER1")  # fmt: skip


def event(kind: str = "stage", seq: int = 0, **extra) -> dict:
    return make_event(run="ab" * 16, seq=seq, kind=kind, host=HOST, now=0.5, **extra)


def test_an_event_has_the_contract_keys_and_round_trips_through_a_body():
    one = event(stage="write", stage_title=TITLES["write"], percent=42, message="42%")
    assert one["v"] == 1 and one["time"] == "1970-01-01T00:00:00.500Z"
    assert one["host"] == {"hostname": "node1", "role": "agent",
                           "mac": ["52:54:00:aa:bb:01", "52:54:00:aa:bb:02"],
                           "system_uuid": "4c4c4544-0042", "system_serial": "ser1"}  # fmt: skip
    assert parse_body(encode_batch([one])) == [one]
    two = [one, event("done", 1, percent=100)]
    assert parse_body(encode_batch(two)) == two
    failed = event("failed", 2, cause="c", hint="h")
    assert (failed["cause"], failed["hint"]) == ("c", "h")


@pytest.mark.parametrize(
    "body, named",
    [
        (b"not json", "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[]", "array of 1 to 100"),
        (json.dumps([{"v": 1}] * (MAX_BATCH + 1)).encode(), "got 101"),
        (b'{"v": 2}', "event[0].v"),
        (b'{"v": 1, "run": "x", "seq": -1}', "event[0].seq"),
        (b'{"v":1,"run":"ab","seq":0,"time":"t","kind":"exploded","host":{}}', "event[0].kind"),
        (b'{"v":1,"run":"ab","seq":0,"time":"t","kind":"done","host":[]}', "event[0].host"),
        (b'{"v":1,"run":"ab","seq":0,"time":"t","kind":"done","host":{"mac":"x"}}', ".mac"),
        (
            b'{"v":1,"run":"ab","seq":0,"time":"t","kind":"done","host":{},"percent":101}',
            "event[0].percent",
        ),  # fmt: skip
        (b" " * (64 * 1024 + 1), "at most 65536"),
    ],
)
def test_a_malformed_body_is_refused_naming_the_key(body, named):
    with pytest.raises(WireError) as caught:
        parse_body(body)
    assert named in str(caught.value)


def test_text_on_the_wire_is_one_safe_line_without_userinfo_or_query():
    text = one_line("fetch https://bob:s3cret@10.0.0.1:8080/img.zst?token=abc#x failed\n\x1b[2J")
    assert text == "fetch https://10.0.0.1:8080/img.zst failed \\x1b[2J"
    received = parse_body(b'{"v":1,"run":"ab","seq":0,"time":"t","kind":"done","host":{},'
                          b'"message":"a\\nb http://u:p@h/x?q=1"}')  # fmt: skip
    assert received[0]["message"] == "a b http://h/x"
    assert url_shown("http://u:p@h:1/p?q#f") == "http://h:1/p"


GOOD = ["http://10.0.0.1:8080/events", "https://serve.example/cos/events?site=a",
        "http://[fe80::1]:80/e", "http://h"]  # fmt: skip
BAD = {
    "file:///etc/passwd": "expected an http:// or https:// URL",
    "javascript:alert(1)": "expected an http:// or https:// URL",
    "ftp://h/x": "expected an http:// or https:// URL",
    "http://user:pw@h/e": "user or password",
    "http://h/e\x1b[2J": "control",
    "http://h/\u202eevil": "non-ASCII",
    "http://:80/e": "no host",
    "http://h:99999/e": "expected an http",
    "http://" + "a" * 10240: "at most 2048",
}


@pytest.mark.parametrize("url", GOOD)
def test_good_report_urls_are_taken_as_given(url):
    assert report_url(url) == url


@pytest.mark.parametrize("url", list(BAD))
def test_hostile_report_urls_are_refused_saying_what_is_expected(url):
    with pytest.raises(FieldError) as caught:
        report_url(url)
    assert BAD[url] in str(caught.value)
    assert "pw" not in str(caught.value)  # the userinfo is never echoed
    with pytest.raises(boot.BootOptionError) as caught:
        boot.parse_cmdline(f"boot=live cos.report={url}")
    assert str(caught.value).startswith("cos.report: ")


def test_the_kernel_option_is_parsed():
    options = boot.parse_cmdline("boot=live cos.report=http://10.0.0.1:8080/events quiet")
    assert options.report == "http://10.0.0.1:8080/events"
    assert boot.parse_cmdline("boot=live").report == ""


@given(st.text(max_size=300))
def test_any_text_is_a_url_or_a_field_error_and_a_taken_one_is_safe(text):
    try:
        url = report_url(text)
    except FieldError as exc:
        assert str(exc) and "\x1b" not in str(exc).replace("\\x1b", "")
        return
    assert url.startswith(("http://", "https://")) and len(url) <= 2048
    assert "@" not in url.split("/")[2] and all(c in string.printable[:-6] for c in url)


@given(
    st.sampled_from(["http", "https"]),
    st.text(alphabet=string.ascii_letters + string.digits + ":%", min_size=1, max_size=20),
    st.text(alphabet=string.ascii_lowercase + ".-", min_size=1, max_size=20),
)
def test_userinfo_is_always_refused(scheme, userinfo, host):
    with pytest.raises(FieldError) as caught:
        report_url(f"{scheme}://{userinfo}@{host}/events")
    with pytest.raises(FieldError) as plain:
        report_url("http://x@h/events")
    assert str(caught.value) == str(plain.value)  # nothing of the userinfo is echoed
