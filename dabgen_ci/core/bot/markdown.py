"""Text from a job (or git, or a workspace) on its way to GitHub, made inert (pure).

A job's name is whatever someone typed in the UI: ``Closes #2``, ``@data-team``, an HTML
comment, a link. Put raw into a PR title, body, commit message or comment, GitHub would
close the issue on merge, notify the team, hide text or show a link the bot never meant.
Every renderer passes such text through one of these functions:

* :func:`literal` — Markdown: a code span (no markup, no link, no mention inside);
* :func:`inert` — Markdown prose around dabgen's own words (an error line): markup
  characters backslash-escaped;
* :func:`inert_quoting` — the same, keeping the code spans of dabgen's own message;
* :func:`neutral` — plain text (a PR title, a commit message), which GitHub still scans
  for ``#123`` references, ``@mentions``, closing keywords and URLs.

All of them start from :func:`neutral`: one line, and a zero-width space (U+200B, invisible)
after every ``@`` and ``#``, inside every closing keyword (``close``, ``fix``,
``resolve`` and their forms), after the ``<`` of ``<!--`` and in every ``://``, so none of
them is recognised — in code spans too, whatever GitHub's parser does there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ZWSP = "\u200b"
DEFAULT_LIMIT = 300

_REFERENCE = re.compile(r"([@#])")
_CLOSING_KEYWORD = re.compile(r"\b(c)(los(?:e[sd]?|ing))\b|\b(f)(ix(?:e[sd]|ing)?)\b"
                              r"|\b(r)(esol(?:ve[sd]?|ving))\b", re.IGNORECASE)
_MARKUP = re.compile(r"([\\`*\[\]<>~|])")


def one_line(text: str, limit: int = 1000) -> str:
    """Collapse whitespace so a detail cannot break the list or heading it sits in."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def code_span(text: str) -> str:
    """`text` as inline code whatever backticks it holds (CommonMark: a longer fence)."""
    text = one_line(text, 300)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def neutral(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` on one line with no mention, reference, closing keyword, link or comment
    GitHub would act on; it reads the same."""
    flat = one_line(text, limit)
    flat = _REFERENCE.sub(lambda m: m.group(1) + ZWSP, flat)
    flat = _CLOSING_KEYWORD.sub(_break_keyword, flat)
    return flat.replace("<!--", "<" + ZWSP + "!--").replace("://", ":" + ZWSP + "//")


def literal(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` as a Markdown code span (any backticks inside cannot close it)."""
    return code_span(neutral(text, limit))


def inert(text: str, limit: int = 1000) -> str:
    """``text`` as Markdown prose that renders as written: markup characters (brackets
    included, so never a ``[text](link)``) backslash-escaped."""
    return _MARKUP.sub(r"\\\1", neutral(text, limit))


def inert_quoting(text: str, limit: int = 1000) -> str:
    """:func:`inert`, except that the parts of dabgen's message between backticks stay code
    spans (:func:`literal`). A value with a backtick of its own only moves where a span
    ends: every part is still made inert."""
    parts = one_line(text, limit).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no spans at all
        return inert(text, limit)
    return "".join(literal(p) if i % 2 else _spaced(inert, p) for i, p in enumerate(parts))


def _spaced(render: Callable[[str], str], part: str) -> str:
    """``render(part)`` with the single spaces around it kept (rendering strips them)."""
    if not part.strip():
        return part and " "
    before = " " if part[0].isspace() else ""
    return before + render(part) + (" " if part[-1].isspace() else "")


def _break_keyword(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g is not None]
    return groups[0] + ZWSP + groups[1]
