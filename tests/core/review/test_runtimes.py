from __future__ import annotations

from datetime import date

import pytest

from dabgen_ci.core.review.runtimes import runtime_version, support_ended


@pytest.mark.parametrize(("spark_version", "version"), [
    ("15.4.x-scala2.12", (15, 4)), ("14.3.x-gpu-ml-scala2.12", (14, 3)),
    (" 17.3.x-scala2.13", (17, 3)), ("custom:my-image", None), ("${var.runtime}", None),
])
def test_runtime_version(spark_version: str, version: tuple[int, int] | None) -> None:
    assert runtime_version(spark_version) == version


@pytest.mark.parametrize(("spark_version", "today", "ended"), [
    ("13.3.x-scala2.12", date(2026, 8, 21), False),  # the last supported day
    ("13.3.x-scala2.12", date(2026, 8, 22), True),
    ("15.4.x-scala2.12", date(2026, 11, 30), False),
    ("7.3.x-scala2.12", date(2021, 1, 1), True),  # older than every LTS in the table
    ("15.1.x-scala2.12", date(2024, 12, 1), False),  # 15.4 LTS out for under six months
    ("15.1.x-scala2.12", date(2025, 2, 19), True),  # … and for six months
    ("17.0.x-scala2.13", date(2026, 4, 22), False),  # no newer LTS six months old yet
    ("17.0.x-scala2.13", date(2026, 4, 24), True),
    ("99.1.x-scala2.13", date(2030, 1, 1), False),  # newer than the table: not judged
])
def test_support_ended(spark_version: str, today: date, ended: bool) -> None:
    assert (support_ended(spark_version, today) is not None) is ended


def test_the_reason_names_the_date_for_an_lts() -> None:
    assert support_ended("12.2.x-scala2.12", date(2026, 11, 30)) == (
        "Databricks Runtime 12.2 LTS reached end of support on 2026-03-01")
