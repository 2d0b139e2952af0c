"""The severity helpers every caller uses instead of filtering by hand."""

from __future__ import annotations

from dataclasses import dataclass

from dabgen_ci.core.diagnostics import Diagnostic, Severity, count, has_errors, of_severity

W1 = Diagnostic("warning", "w1", file="a.yml", line=3)
E1 = Diagnostic("error", "e1", file="b.yml", line=1)
I1 = Diagnostic("info", "i1")
E2 = Diagnostic("error", "e2", path="resources.jobs.x")
MIXED = (W1, E1, I1, E2)


def test_count_and_has_errors() -> None:
    assert (count(MIXED), count(MIXED, "warning"), count(MIXED, "info")) == (2, 1, 1)
    assert has_errors(MIXED) and not has_errors((W1, I1)) and not has_errors(())


def test_of_severity_defaults_to_errors_in_their_order() -> None:
    assert of_severity(MIXED) == [E1, E2]
    assert of_severity(iter(MIXED)) == [E1, E2]  # any iterable, read once


def test_of_severity_groups_in_the_order_asked() -> None:
    assert of_severity(MIXED, "error", "warning") == [E1, E2, W1]
    assert of_severity(MIXED, "info", "error") == [I1, E1, E2]
    assert of_severity((W1, I1), "error") == []


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str


def test_anything_with_a_severity_is_counted_the_same_way() -> None:
    found = [Finding("warning", "a"), Finding("error", "b"), Finding("warning", "c")]
    assert (count(found), count(found, "warning"), has_errors(found)) == (1, 2, True)
    assert [f.message for f in of_severity(found, "warning")] == ["a", "c"]
