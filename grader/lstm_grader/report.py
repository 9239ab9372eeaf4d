"""Per-student grading reports: what happened to each submission, and why.

Every step of grading (the intake hook, the preprocessors, the
``lstm-course grade`` command) appends events here. A report is a JSON file
``reports/<assignment>/<student>.json`` in the course folder, outside every
sandbox, so a submission cannot write or forge its own report::

    {"assignment": "a1", "student": "ada", "events": [
        {"kind": "kernel-died", "message": "...", "flag": false, "notebook": "a1"}]}

``flag: true`` marks an event that sends the submission to manual review
(the score stands, a person looks at it).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORTS_ENV = "LSTM_GRADER_REPORTS"


@dataclass
class Event:
    kind: str
    message: str
    flag: bool = False
    notebook: str | None = None


@dataclass
class Report:
    assignment: str
    student: str
    events: list[Event] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return any(e.flag for e in self.events)

    def reasons(self) -> list[str]:
        return [e.message for e in self.events if e.flag]


def reports_dir() -> Path:
    """``$LSTM_GRADER_REPORTS``, else ``reports/`` in the folder nbgrader runs in."""
    return Path(os.environ.get(REPORTS_ENV) or Path.cwd() / "reports")


def _path(assignment: str, student: str, root: Path | None = None) -> Path:
    return (root or reports_dir()) / assignment / f"{student}.json"


def load(assignment: str, student: str, root: Path | None = None) -> Report:
    """The report so far (``root``: the reports folder, default :func:`reports_dir`)."""
    path = _path(assignment, student, root)
    if not path.exists():
        return Report(assignment, student)
    data = json.loads(path.read_text())
    return Report(assignment, student, [Event(**e) for e in data.get("events", [])])


def from_dict(data: dict) -> Report:
    return Report(data["assignment"], data["student"], [Event(**e) for e in data.get("events", [])])


def to_dict(report: Report) -> dict:
    return asdict(report)


def save(report: Report, root: Path | None = None) -> Path:
    path = _path(report.assignment, report.student, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(report), indent=1) + "\n")
    tmp.replace(path)
    return path


def reset(assignment: str, student: str) -> None:
    """Start a fresh report (re-grading replaces the old one)."""
    save(Report(assignment, student))


def record(assignment: str, student: str, kind: str, message: str, *,
           flag: bool = False, notebook: str | None = None, root: Path | None = None) -> None:
    """Append one event to a student's report."""
    report = load(assignment, student, root)
    event = Event(kind, message, flag, notebook)
    if event not in report.events:
        report.events.append(event)
    save(report, root)
