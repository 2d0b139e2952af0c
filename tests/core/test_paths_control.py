"""The control-character rule of ``lexical_problem`` keeps its meaning with its fast path
(``str.isprintable`` first): refused exactly when a character is of category Cc."""

from __future__ import annotations

import sys
import unicodedata

from dabgen_ci.core.paths import lexical_problem

CONTROL = "contains a control character"
# Every code point below U+3000, then one in every 97 up to the last (lone surrogates left
# out: they cannot be encoded, and a path holding one is another rule's business).
CODE_POINTS = [cp for cp in (*range(1, 0x3000), *range(0x3000, sys.maxunicode + 1, 97))
               if not 0xD800 <= cp <= 0xDFFF]


def test_refused_exactly_for_category_cc() -> None:
    wrong = [hex(cp) for cp in CODE_POINTS
             if (lexical_problem(f"a{chr(cp)}b") == CONTROL)
             != (unicodedata.category(chr(cp)) == "Cc")]
    assert wrong == []


def test_unprintable_but_not_control_is_accepted() -> None:
    for text in ("a\u200bb", "a\u00a0b", "a\u2028b", "a\ue000b", "\u0378x"):  # Cf Zs Zl Co Cn
        assert not text.isprintable()
        assert lexical_problem(text) != CONTROL
