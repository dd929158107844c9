"""The one error the library raises for bad input data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .personnummer import mask_identity_numbers

#: How many problems one error lists before it says "and N more".
MAX_REPORTED_PROBLEMS = 20


def _rank(problem: Problem) -> int:
    """Cells the user can find and fix (line, column, value) first, then rows, then the file."""
    if problem.line is not None and problem.column is not None and problem.value is not None:
        return 0
    return 1 if problem.line is not None else 2


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, what was found and what was allowed.

    ``str()`` masks runs of 10 or 12 digits, in case a value or text holds one anyway.
    """

    line: int | None  # 1-based line in the file (the header is line 1); None for file-level
    column: str | None  # the column as the file names it
    value: str | None  # the offending value as read (never a personal identity number)
    expected: str  # what was allowed or expected

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        place = ", ".join(where) or "file"
        found = f": found {self.value!r}" if self.value is not None else ""
        return mask_identity_numbers(f"{place}{found}; expected {self.expected}")


class FinsamDataError(ValueError):
    """Bad input data. Names the file and every problem found (up to a limit), not just the first.

    The message masks every run of 10 or 12 digits (``mask_identity_numbers``), whatever a
    caller put into a problem, so an error never shows a personal identity number.

    Attributes
    ----------
    path : the file (or a description of the in-memory source)
    problems : all problems found, each with line, column, value and expected
    line, column, value, expected : those of the first problem, for convenience
    """

    def __init__(self, path: str | Path | None, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(None, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("FinsamDataError needs at least one problem")
        self.path = str(path) if path is not None else "<data>"
        self.problems: list[Problem] = sorted(problems, key=_rank)  # stable: keeps line order
        first = self.problems[0]
        self.line, self.column, self.value, self.expected = (
            first.line,
            first.column,
            first.value,
            first.expected,
        )
        shown = self.problems[:MAX_REPORTED_PROBLEMS]
        lines = [f"{self.path}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  … and {len(self.problems) - len(shown)} more")
        super().__init__(mask_identity_numbers("\n".join(lines)))
