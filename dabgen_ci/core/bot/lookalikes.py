"""Characters that look like the `/dabgen` grammar but are other code points.

The grammar (:mod:`dabgen_ci.core.bot.grammar`) decides where they are read as what they
look like and where they are refused; this module only says what each one looks like.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Characters drawn like `/` that NFKC does not fold to it (it maps only U+FF0F).
LOOKALIKE_SLASHES = frozenset("\u2044\u2215\u2571\u27cb\u29f8\u2f03\u3033\uff0f")


@dataclass(frozen=True)
class Line:
    """The command line as typed (``raw``) and as it looks (``folded``), character for
    character aligned, so a slice of one is the same text in the other."""

    raw: str
    folded: str

    @classmethod
    def of(cls, text: str) -> Line:
        return cls(text, "".join(map(fold_char, text)))

    def __getitem__(self, index: slice) -> Line:
        return Line(self.raw[index], self.folded[index])

    def strip(self) -> Line:
        start = len(self.folded) - len(self.folded.lstrip())
        return self[start: len(self.folded.rstrip())]

    def split_word(self) -> tuple[str, Line]:
        """The first word (folded, lower case) and the rest, stripped."""
        end = next((i for i, ch in enumerate(self.folded) if ch.isspace()), len(self.folded))
        return self.folded[:end].lower(), self[end:].strip()


def fold_char(ch: str) -> str:
    """What ``ch`` looks like, as one character: a space for every Unicode space and
    invisible format character, ``/`` for a lookalike slash, the ASCII character a
    compatibility form stands for (fullwidth letters and digits), else ``ch`` itself."""
    if ch in LOOKALIKE_SLASHES:
        return "/"
    if ch == "\t" or unicodedata.category(ch) in ("Zs", "Cf"):
        return " "
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 and folded.isascii() else ch


def describe(ch: str) -> str:
    """`∕` (U+2215 DIVISION SLASH): a character shown with its code point and name."""
    name = unicodedata.name(ch, "")
    shown = f"`{ch}` " if unicodedata.category(ch) != "Zs" else ""
    return f"{shown}(U+{ord(ch):04X}{' ' + name if name else ''})"
