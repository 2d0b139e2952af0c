"""Job text on its way to GitHub: no mention, no reference, no closing keyword, no markup."""

from __future__ import annotations

import random
import re

import pytest

from dabgen_ci.core.bot.markdown import ZWSP, inert, inert_quoting, literal, neutral

HOSTILE = [
    "Closes #2", "closes: #2", "Fixes acme/other#3", "resolved #4", "FIX #5", "fixing #6",
    "@data-team please look", "ping @octocat/admins", "<!-- dabgen:pr job=9 -->",
    "[click](https://evil.example)", "![x](http://img)", "<img src=x onerror=alert(1)>",
    "**bold** _it_ ~~gone~~", "a | b | c", "`tick` ``double``", "line\nbreak\r\n- item",
    "https://github.com/acme/data-jobs/issues/2", "GH-7", "C# job", "e-mail a@b.com",
]

# What GitHub acts on in titles, bodies and commit messages.
_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
_REFERENCE = re.compile(r"#\d")
_KEYWORD = re.compile(r"\b(?:close[sd]?|closing|fix(?:e[sd]|ing)?|resolve[sd]?|resolving)\b",
                      re.IGNORECASE)


def acts_on(text: str) -> list[str]:
    found = [p.pattern for p in (_MENTION, _REFERENCE, _KEYWORD) if p.search(text)]
    found += [s for s in ("<!--", "://", "\n", "\r") if s in text]
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_neutral_text_reads_the_same_and_github_acts_on_nothing(text: str) -> None:
    out = neutral(text)
    assert acts_on(out) == []
    assert out.replace(ZWSP, "") == " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_is_one_closed_code_span(text: str) -> None:
    out = literal(text)
    opening = re.match(r"`+", out)
    assert opening is not None
    fence = opening.group()
    assert out.endswith(fence) and fence not in out[len(fence):-len(fence)]
    assert acts_on(out) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_prose_escapes_markup(text: str) -> None:
    out = inert(text)
    assert acts_on(out) == []
    every_markup_character_is_escaped = out.replace("\\\\", "")
    assert re.search(r"(?<!\\)[`*\[\]<>~|]", every_markup_character_is_escaped) is None
    assert re.sub(r"\\(.)", r"\1", out).replace(ZWSP, "") == " ".join(text.split())


def test_random_text_never_leaves_anything_to_act_on() -> None:
    rng = random.Random(1208)
    alphabet = [*"@#<!-:/ \n`*[]()", "close", "Fixes ", "resolved", "http", "a", "7", "\u200b"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for out in (neutral(text), literal(text), inert(text)):
            assert acts_on(out) == [], (text, out)


def test_inert_quoting_keeps_dabgen_code_spans_and_escapes_the_rest() -> None:
    text = "state in `/Workspace/Users/a@b.com/x`: target `prod` closes #2 <b>"
    assert inert_quoting(text) == ("state in `/Workspace/Users/a@\u200bb.com/x`: target "
                                   "`prod` c\u200bloses #\u200b2 \\<b\\>")
    # a value with a backtick of its own: an odd count means no spans, all escaped
    assert inert_quoting("path `a`b` here") == "path \\`a\\`b\\` here"
    # a link inside a span is still broken, as in literal()
    assert inert_quoting("see `[x](http://e)`") == "see `[x](http:\u200b//e)`"
