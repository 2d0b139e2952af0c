"""One diagnostic model shared by every validator (schema, our rules, the Databricks CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal, Protocol, TypeVar

Severity = Literal["error", "warning", "info"]


class HasSeverity(Protocol):
    """Anything graded like a diagnostic (a :class:`Diagnostic`, a review finding)."""

    @property
    def severity(self) -> Severity: ...


Graded = TypeVar("Graded", bound=HasSeverity)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding about a bundle, located as precisely as the validator can.

    ``file`` is relative to the bundle root in POSIX form; ``path`` is the YAML path in the
    merged configuration (``resources.jobs.etl.tasks[0].notebook_task.notebook_path``);
    ``source`` names the validator that produced it.
    """

    severity: Severity
    summary: str
    detail: str = ""
    file: str | None = None
    line: int | None = None
    path: str | None = None
    source: str = "dabgen"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def render(self) -> str:
        """One line for terminals and comments: ``error: file:line: summary (path)``."""
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        at = f" ({self.path})" if self.path else ""
        return f"{self.severity}: {where}{self.summary}{at}"


# The helpers below are the one place that reads ``severity``: every caller asks them rather
# than filtering by hand, so a new severity (or a rule about which ones block) lands once.


def has_errors(diagnostics: Iterable[HasSeverity]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def count(diagnostics: Iterable[HasSeverity], severity: Severity = "error") -> int:
    return sum(d.severity == severity for d in diagnostics)


def of_severity(diagnostics: Iterable[Graded], *severities: Severity) -> list[Graded]:
    """The diagnostics of ``severities`` (default: errors), grouped in the order given and
    otherwise in their original order: ``of_severity(ds, "error", "warning")`` lists errors
    first, which is what a reader with limited space should see."""
    wanted = severities or ("error",)
    listed = list(diagnostics)
    return [d for severity in wanted for d in listed if d.severity == severity]
