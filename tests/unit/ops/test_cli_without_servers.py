"""The operator CLI's commands that need no server: the fault suite's last report, and bad
input refused with a message naming the option, before anything is reached."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from rights_ops.cli import app
from typer.testing import CliRunner

runner = CliRunner()
HELD = {"operations": 300, "acknowledged": 120, "faults": {"kill_service": 2},
        "lost": 0, "duplicated": 0, "order_violations": 0, "undelivered": 0,
        "redelivered": 3, "drain_s": 1.5, "seed": 42, "finished_at": "2026-01-01T00:00:00Z"}


def test_faults_shows_a_held_run_and_exits_0(tmp_path: Path) -> None:
    report = tmp_path / "faults.json"
    report.write_text(json.dumps(HELD))
    result = runner.invoke(app, ["faults", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "guarantees held" in result.output and "kill_service 2" in result.output


def test_faults_exits_1_when_anything_was_lost_or_duplicated(tmp_path: Path) -> None:
    report = tmp_path / "faults.json"
    report.write_text(json.dumps(HELD | {"duplicated": 2}))
    result = runner.invoke(app, ["faults", "--report", str(report), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["duplicated"] == 2


def test_faults_reads_faults_out_and_says_when_there_is_no_run(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    result = runner.invoke(app, ["faults"], env={"FAULTS_OUT": str(missing)})
    assert result.exit_code == 2 and "make faults" in result.output


def test_the_repositorys_last_fault_report_reads() -> None:
    # The committed verdict (README, "Fault suite") is what `rights faults` shows by default.
    result = runner.invoke(app, ["faults", "--json"], env={"FAULTS_OUT": ""})
    committed = json.loads((Path(__file__).parents[3] / "bench" / "faults.json").read_text())
    assert json.loads(result.output)["seed"] == committed["seed"]


def test_tail_refuses_a_topic_outside_the_event_contract() -> None:
    result = runner.invoke(app, ["tail", "--username", "s", "--password", "p",
                                 "--topic", "licensing.dlq"])
    assert result.exit_code == 2
    assert "--topic" in result.output and "not an event topic" in result.output


def test_tail_refuses_a_group_that_is_not_the_societys() -> None:
    result = runner.invoke(app, ["tail", "--username", "amrs", "--password", "p",
                                 "--group", "licensing"])
    assert result.exit_code == 2 and "--group" in result.output


def test_import_refuses_an_unknown_format(tmp_path: Path) -> None:
    works = tmp_path / "works.csv"
    works.write_text("row_key\n")
    result = runner.invoke(app, ["import", "works", "--works", str(works),
                                 "--filer", str(uuid.uuid4()), "--format", "xml"])
    assert result.exit_code == 2 and "--format" in result.output


def test_a_society_name_must_be_lower_case_letters_digits_and_dashes() -> None:
    result = runner.invoke(app, ["clients", "create-society", "Bad Name!",
                                 "--party", str(uuid.uuid4())])
    assert result.exit_code == 2 and "NAME" in result.output


def test_redrive_names_what_it_needs() -> None:
    result = runner.invoke(app, ["dead-letters", "redrive", "--all"])
    assert result.exit_code == 2 and "--group" in result.output


def test_every_command_has_help() -> None:
    for command in (["users"], ["clients"], ["import"], ["rebuild"], ["dead-letters"],
                    ["tail"], ["replay"], ["health"], ["faults"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
