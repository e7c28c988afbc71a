"""Bad paths and bad input files end every command with exit status 2 and one line naming the
option — never a traceback: ``--output`` that cannot be written, ``--intake`` / ``--plan`` /
``--assessments`` files that are unreadable, not UTF-8 or not JSON, and amounts with more digits
than exact arithmetic holds."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.cli.main import cli

TAKE = ("--take", "diazepam 10 mg at 08:00")
PLAN = ("plan", *TAKE, "--start", "2025-03-03")
STEADY = ("simulate", *TAKE, "--no-taper", "--days", "2")
INTAKE = {
    "age": 50,
    "regimen": [{"drug": "diazepam", "mg": 10, "time": "22:00"}],
    "duration_months": 6,
    "days_per_week": 7,
    "source": "ashton-2002",
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_error_line(result: Result, field: str) -> str:
    """The single stderr line of a refused run, after checking exit 2 and no traceback."""
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {field}: "), lines[0]
    return lines[0]


def writing_commands(tmp_path: Path) -> list[tuple[str, ...]]:
    """Every command that can write a file, in each format that writes one."""
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE), "utf-8")
    return [
        (*PLAN,),
        (*PLAN, "--format", "json"),
        (*PLAN, "--format", "csv"),
        (*PLAN, "--format", "pdf"),
        (*PLAN, "--format", "ics"),
        (*STEADY,),
        (*STEADY, "--format", "svg"),
        (*STEADY, "--format", "png"),
        ("assess", "--intake", str(intake)),
        ("score", "gad-7", "1", "1", "1", "1", "1", "1", "1"),
        ("drugs",),
        ("drugs", "diazepam", "--format", "json"),
        ("convert", *TAKE, "--format", "csv"),
    ]


COMMAND_IDS = [
    "plan-table", "plan-json", "plan-csv", "plan-pdf", "plan-ics", "simulate-table",
    "simulate-svg", "simulate-png", "assess", "score", "drugs", "drugs-card", "convert",
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(COMMAND_IDS)), ids=COMMAND_IDS)
def test_output_into_a_missing_folder_exits_2_with_one_line_naming_output(tmp_path, index):
    """--output into a folder that does not exist is refused before any work, for every
    command that writes a file; the line says what is allowed and which folder is missing."""
    command = writing_commands(tmp_path)[index]
    target = tmp_path / "missing" / "out.file"
    line = one_error_line(run(*command, "--output", str(target)), "output")
    assert "a file in an existing folder that can be written to" in line
    assert f"{tmp_path / 'missing'} does not exist" in line
    assert not target.parent.exists()


# plan-pdf is left out here only: rendering the PDF needs WeasyPrint's system libraries (see
# tests/reports/test_pdf.py); plan-ics goes through the same write path.
WRITE_IDS = [name for name in COMMAND_IDS if name != "plan-pdf"]


@pytest.mark.parametrize("name", WRITE_IDS)
def test_output_that_fails_while_writing_exits_2_with_one_line_naming_output(
    tmp_path, monkeypatch, name
):
    """A write that fails after the checks (a full disk) still ends in one line on output,
    whether the command writes through the shared helper or by itself."""
    command = writing_commands(tmp_path)[COMMAND_IDS.index(name)]

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    monkeypatch.setattr(Path, "write_bytes", full)
    line = one_error_line(run(*command, "--output", str(tmp_path / "out.file")), "output")
    assert "No space left on device" in line


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("", "the name is empty"),
        ("   ", "the name is empty"),
        ("a" * 300, "File name too long"),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_output_names_that_cannot_be_files_are_refused(tmp_path, monkeypatch, name, hint):
    """An empty, blank or over-long --output name is refused with the reason, rather than
    silently writing to standard output or failing deep inside the write."""
    monkeypatch.chdir(tmp_path)
    line = one_error_line(run("drugs", "--output", name), "output")
    assert hint in line


def test_output_that_is_a_folder_is_refused_as_not_a_file(tmp_path):
    """--output naming an existing folder says a file is expected, in one line (not click's
    usage block)."""
    line = one_error_line(run(*PLAN, "--format", "ics", "--output", str(tmp_path)), "output")
    assert "expected a file, not a folder" in line


def test_output_under_a_file_says_the_parent_is_not_a_folder(tmp_path):
    """--output whose parent is an ordinary file names that file as 'not a folder'."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x", "utf-8")
    line = one_error_line(run("convert", *TAKE, "--output", str(blocker / "x.csv")), "output")
    assert f"{blocker} is not a folder" in line


def test_output_in_a_folder_without_write_permission_is_refused(tmp_path, monkeypatch):
    """A folder the user may not write to is refused as 'permission denied' before any work
    (the permission check is stubbed, since tests may run as root)."""
    monkeypatch.setattr("benzodetox.cli._common.os.access", lambda *_args: False)
    line = one_error_line(run(*STEADY, "--output", str(tmp_path / "sim.txt")), "output")
    assert "permission denied" in line


def test_output_in_a_writable_folder_is_still_written(tmp_path):
    """The checks let a good path through: the file is written and stderr says where."""
    target = tmp_path / "drugs.json"
    result = run("drugs", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text("utf-8"))
    assert f"written to {target}" in result.stderr


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("assess", "--intake"), "--intake"),
        (("advise", "--assessments", "{ok}", "--plan"), "--plan"),
        (("advise", "--plan", "{ok}", "--assessments"), "--assessments"),
    ],
    ids=["intake", "plan", "assessments"],
)
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xff\xfe\x00{bad\x80", "expected a UTF-8 JSON file (byte 0 is not UTF-8)"),
        (b"[" * 100_000 + b"]" * 100_000, "expected valid JSON (nested too deeply)"),
        (b"{", "expected valid JSON (line 1, column 2"),
    ],
    ids=["not-utf-8", "nested-too-deeply", "truncated"],
)
def test_input_files_that_are_not_utf_8_json_exit_2_naming_the_option(
    tmp_path, command, option, content, says
):
    """--intake, --plan and --assessments files that are not UTF-8, nest too deeply for the
    JSON reader or are cut short are refused in one line naming the option."""
    ok = tmp_path / "ok.json"
    ok.write_text("{}", "utf-8")
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    args = [str(ok) if a == "{ok}" else a for a in command]
    line = one_error_line(run(*args, str(bad)), option)
    assert says in line


def test_an_input_file_name_with_a_nul_character_exits_2(tmp_path):
    """A NUL character in --intake (which the system cannot open) is refused naming --intake."""
    line = one_error_line(run("assess", "--intake", "in\x00take.json"), "--intake")
    assert "expected a readable JSON file" in line


def test_an_intake_file_with_a_byte_order_mark_is_read(tmp_path):
    """A UTF-8 file saved with a byte-order mark (common from Windows editors) is read."""
    path = tmp_path / "intake.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(INTAKE).encode("utf-8"))
    result = run("assess", "--intake", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["wm_level"] == "1-WM"


@pytest.mark.parametrize("command", ["convert", "plan", "simulate"])
def test_a_take_amount_with_more_digits_than_exact_arithmetic_holds_exits_2(command):
    """'diazepam 9999…9 mg' (29 digits) is refused naming the amount and the bound the core
    allows (core/units.py), not a decimal traceback."""
    take = "diazepam " + "9" * 29 + " mg at 08:00"
    extra = ("--no-taper",) if command == "simulate" else ()
    line = one_error_line(run(command, "--take", take, *extra), "amount")
    assert "a number below 1000000000000" in line


def test_an_intake_dose_with_more_digits_than_exact_arithmetic_holds_exits_2(tmp_path):
    """An intake mg of 10**40 is refused naming regimen[0].mg."""
    path = tmp_path / "intake.json"
    regimen = [{"drug": "diazepam", "mg": 10**40, "time": "08:00"}]
    path.write_text(json.dumps({**INTAKE, "regimen": regimen}), "utf-8")
    one_error_line(run("assess", "--intake", str(path)), "regimen[0].mg")


@settings(max_examples=60, deadline=None)
@given(take=st.text(max_size=60))
def test_convert_never_ends_in_a_traceback_whatever_the_take_text(take):
    """Any --take text either converts (exit 0) or is refused with exit 2, never an exception."""
    result = run("convert", "--take", take)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
