"""Resource keys: the names jobs get under ``resources.jobs`` in a bundle.

A key appears in three places that each constrain it: a YAML map key, a file name
(``resources/<key>.job.yml``) and references such as ``${resources.jobs.<key>.id}``. The
reference grammar of the Databricks CLI (``\\p{L}+([-_]*[\\p{L}\\p{N}]+)*`` per segment) is
the strictest of the three, so keys are built to match it: Unicode letters and digits are
kept (as the CLI's own ``bundle generate`` does), everything else becomes one ``_``, and a
key never starts with a digit or ends with ``_``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

import regex

_MARKS = regex.compile(r"\p{M}+")
_NOT_ALNUM = regex.compile(r"[^\p{L}\p{N}]+")
_STARTS_WITH_LETTER = regex.compile(r"^\p{L}")
# A reference segment, anchored: what ``${resources.jobs.<key>.id}`` accepts.
KEY_PATTERN = regex.compile(r"^\p{L}+(?:[-_]*[\p{L}\p{N}]+)*$")

# File names are limited to 255 bytes on common file systems; leave room for the
# ``.job.yml`` suffix and a uniqueness suffix.
_MAX_KEY_BYTES = 180


def normalize_name(name: str, *, fallback: str) -> str:
    """Lower-case ``name`` into a reference-safe identifier, ``fallback`` if nothing is left."""
    text = unicodedata.normalize("NFC", name).lower()
    text = _MARKS.sub("", unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text)
    base = _NOT_ALNUM.sub("_", text).strip("_")
    base = _truncate_utf8(base, _MAX_KEY_BYTES).strip("_")
    if not base:
        return fallback
    if not _STARTS_WITH_LETTER.match(base):
        base = f"{fallback}_{base}"
    return base


def unique_name(base: str, taken: Collection[str]) -> str:
    """``base``, or ``base_2``, ``base_3``… whichever is first not in ``taken``."""
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def resource_key(name: str, taken: Collection[str]) -> str:
    """The bundle key for a job called ``name``, unique among ``taken`` (not modified)."""
    return unique_name(normalize_name(name or "", fallback="job"), taken)


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
