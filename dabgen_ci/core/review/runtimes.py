"""Which Databricks Runtime versions are past their end of support on a given day (pure).

The LTS dates are Databricks' published schedule ("Databricks Runtime release notes versions
and compatibility"). Non-LTS releases are supported for six months; their exact dates are
not kept here, so a non-LTS version counts as ended once an LTS with a higher version has
been out for six months (that LTS was released after it, so the six months have passed) —
conservative: it may report an ended runtime a little late, never one still supported.
Versions older than the oldest LTS in the table ended long ago. The day comes from the
caller: the core has no clock.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

NON_LTS_SUPPORT_DAYS = 183


class Lts(NamedTuple):
    version: tuple[int, int]
    released: date
    end_of_support: date


LTS_RELEASES = (
    Lts((9, 1), date(2021, 9, 23), date(2024, 9, 23)),
    Lts((10, 4), date(2022, 3, 18), date(2025, 3, 18)),
    Lts((11, 3), date(2022, 10, 19), date(2025, 10, 19)),
    Lts((12, 2), date(2023, 3, 1), date(2026, 3, 1)),
    Lts((13, 3), date(2023, 8, 22), date(2026, 8, 22)),
    Lts((14, 3), date(2024, 2, 1), date(2027, 2, 1)),
    Lts((15, 4), date(2024, 8, 19), date(2027, 8, 19)),
    Lts((16, 4), date(2025, 5, 9), date(2028, 5, 9)),
    Lts((17, 3), date(2025, 10, 22), date(2028, 10, 22)),
)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.")


def runtime_version(spark_version: str) -> tuple[int, int] | None:
    """``15.4.x-scala2.12`` / ``14.3.x-gpu-ml-scala2.12`` → (15, 4); None if not a runtime."""
    match = _VERSION.match(spark_version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def support_ended(spark_version: str, today: date) -> str | None:
    """Why ``spark_version`` is past its end of support by ``today``; None while supported."""
    version = runtime_version(spark_version)
    if version is None:
        return None
    name = f"{version[0]}.{version[1]}"
    lts = next((r for r in LTS_RELEASES if r.version == version), None)
    if lts is not None:
        if lts.end_of_support > today:
            return None
        return f"Databricks Runtime {name} LTS reached end of support on {lts.end_of_support}"
    if version < LTS_RELEASES[0].version:
        return f"Databricks Runtime {name} reached end of support years ago"
    for newer in LTS_RELEASES:
        ended = date.fromordinal(newer.released.toordinal() + NON_LTS_SUPPORT_DAYS)
        if newer.version > version and ended <= today:
            return (f"Databricks Runtime {name} (not LTS, supported six months) is past its "
                    f"end of support; {newer.version[0]}.{newer.version[1]} LTS replaced it")
    return None
