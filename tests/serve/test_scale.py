"""A 1,000-host fleet: generated (no 99-agent cap), checked by check-answers, indexed by serve;
the work grows linearly with the fleet (function calls counted, no clock), and an answers
request or an event costs the same in a fleet of 100 or 1,000."""

from __future__ import annotations

import functools
import os
import sys

import yaml

from cos_installer.answers.passwords import hash_password
from cos_installer.cli import main
from cos_installer.commands.check_answers import check_all
from cos_installer.serve import fleetindex
from cos_installer.serve.board import Board
from tests.serve.served import event

HASH = "$6$saltsalt$" + "a" * 86  # a well-formed hash: no hashing in the counts


def fleet(capsys, agents: int) -> dict:
    code = main(["fleet", "--agents", str(agents), "--first-address", "10.1.0.10/16",
                 "--password-hash", HASH])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    return yaml.safe_load(out)


def ours(frame) -> bool:
    return f"{os.sep}cos_installer{os.sep}" in frame.f_code.co_filename


def calls(work) -> int:
    """Lines the installer's own code runs for `work()` (a loop's every turn, a
    comprehension's too) plus the C functions that code calls: the work counted, not timed.
    YAML, jsonschema and the standard library are left out: their share is linear and would
    hide a pairwise loop of ours."""
    count = 0

    def line(frame, what, arg):
        nonlocal count
        count += what == "line"
        return line

    def profile(frame, what, arg):
        nonlocal count
        count += what == "c_call" and ours(frame)

    sys.settrace(lambda frame, what, arg: line if ours(frame) else None)
    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    return count


def test_a_thousand_host_fleet_is_generated_and_checked(capsys, tmp_path):
    data = fleet(capsys, 997)
    macs = [h["match"]["mac"] for h in data["hosts"]]
    assert len(data["hosts"]) == 1000 and len(set(macs)) == 1000
    assert macs[:2] == ["00:00:00:00:00:01", "00:00:00:00:00:02"]  # as before up to 255
    assert macs[-1] == "00:00:00:03:01:e5"  # node997
    assert data["hosts"][-1]["system"]["hostname"] == "node997"
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["check-answers", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "valid (1000 host entries" in out, err
    assert "hosts[0], hosts[1], hosts[2], hosts[3], hosts[4] and 995 more" in err


def test_checking_and_indexing_grow_linearly(capsys):
    small, large = fleet(capsys, 100), fleet(capsys, 400)
    hasher = functools.lru_cache(hash_password)
    for work in (lambda m: check_all(m, "f"), lambda m: fleetindex.build(m, "f", hasher)):
        a, b = calls(functools.partial(work, small)), calls(functools.partial(work, large))
        # 4x the hosts: 4x the work when linear (3.9 measured); a pairwise loop over the
        # hosts in build() made it 4.9
        assert b < 4.3 * a, (a, b)


def test_a_request_costs_the_same_in_a_small_and_a_large_fleet(capsys):
    costs = []
    for agents in (100, 997):
        index = fleetindex.build(fleet(capsys, agents), "f", functools.lru_cache(hash_password))
        board = Board(index)
        last = index.hosts[-1].mac
        one = event("progress", 1, run="c" * 32, mac=last, percent=5)
        costs.append((calls(lambda i=index, m=last: i.answer(f"answers/mac/{m}.yaml")),
                      calls(lambda b=board, e=one: b.event(e))))  # fmt: skip
        assert board.hosts[-1]["result"] == "running"
    assert costs[0] == costs[1], costs
