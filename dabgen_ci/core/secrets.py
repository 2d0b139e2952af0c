"""What a credential looks like, and how a person says "that one is not a secret" (pure).

One table of token shapes serves both nets: the redactor (:mod:`dabgen_ci.core.redact`)
masks them in every text the bot shows, and the secret rule
(:mod:`dabgen_ci.validate.rules_secrets`) refuses a bundle that holds one, in a value, a
key or a source file. A shape is a prefix that only that kind of credential has, so a
match is rarely anything else; for the rare false positive there are two ways out, both
documented in the README:

* ``dabgen: allow-secret`` anywhere on the line (``# dabgen: allow-secret`` in Python or
  YAML, ``-- dabgen: allow-secret`` in SQL);
* ``secrets: allow:`` in ``.dabgen.yml`` — the *fingerprint* a finding prints (a short
  hash: the value itself is never written anywhere) or a path glob.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

MASK = "***"
ALLOW_MARKER = "dabgen: allow-secret"
FINGERPRINT_LENGTH = 16


class TokenShape(NamedTuple):
    """A kind of credential recognisable by its form alone. Every match contains one of
    ``needles``: a plain substring test rules most text out before any regex runs (a
    source scan reads every notebook of a bundle)."""

    what: str  # "a Databricks personal access token": reads after "looks like"
    pattern: re.Pattern[str]
    needles: tuple[str, ...]

    def candidates(self, text: str) -> bool:
        return any(needle in text for needle in self.needles)


TOKEN_SHAPES: tuple[TokenShape, ...] = (
    TokenShape("a Databricks personal access token",
               re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b"), ("dapi",)),
    TokenShape("a Databricks OAuth secret", re.compile(r"\bdose[0-9a-f]{32}\b"), ("dose",)),
    TokenShape("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
               ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    TokenShape("a GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
               ("github_pat_",)),
    TokenShape("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
               ("AKIA", "ASIA")),
    TokenShape("an Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{8,}"), ("sk-ant-",)),
    TokenShape("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), ("AIza",)),
    TokenShape("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
               ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-")),
    TokenShape("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
               ("PRIVATE KEY-----",)),
)


# Every shape in one pattern: one scan tells whether a text holds any token at all (almost
# never), instead of one scan per shape of every string of a 10,000-job bundle.
_ANY_TOKEN = re.compile("|".join(f"(?:{shape.pattern.pattern})" for shape in TOKEN_SHAPES))


# Every match of a shape holds one of its needles: a scan for the needles alone (literal
# text, about three times faster than the shapes) rules out nearly every string first.
_ANY_NEEDLE = re.compile("|".join(re.escape(needle) for shape in TOKEN_SHAPES
                                  for needle in shape.needles))


def may_have_token(text: str) -> bool:
    """Whether ``text`` holds a needle of some shape: without one, it holds no token."""
    return _ANY_NEEDLE.search(text) is not None


def has_token(text: str) -> bool:
    """Whether any token shape occurs in ``text``."""
    return _ANY_NEEDLE.search(text) is not None and _ANY_TOKEN.search(text) is not None


class TokenMatch(NamedTuple):
    shape: TokenShape
    text: str  # the matched credential: never shown, only fingerprinted


def find_tokens(text: str) -> Iterator[TokenMatch]:
    """Every token-shaped substring of ``text``, shape by shape."""
    if not has_token(text):
        return
    for shape in TOKEN_SHAPES:
        if shape.candidates(text):
            for match in shape.pattern.finditer(text):
                yield TokenMatch(shape, match.group())


def first_token(text: str) -> TokenMatch | None:
    return next(find_tokens(text), None)


def mask_tokens(text: str) -> str:
    """``text`` with every token-shaped substring replaced by :data:`MASK`."""
    for shape in TOKEN_SHAPES:
        if shape.candidates(text):
            text = shape.pattern.sub(MASK, text)
    return text


def fingerprint(secret: str) -> str:
    """A short, stable name for a value that must not be written down (SHA-256 prefix)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def has_allow_marker(line: str) -> bool:
    return ALLOW_MARKER in line


@dataclass(frozen=True)
class SecretAllowlist:
    """False positives a repository accepts (``.dabgen.yml`` ``secrets.allow``).

    ``marked`` holds the ``(file, line)`` pairs whose text carries :data:`ALLOW_MARKER`;
    the validator fills it from the files, since only it reads them.
    """

    fingerprints: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()
    marked: frozenset[tuple[str, int]] = frozenset()

    def allows(self, file: str | None, line: int | None, print_: str) -> bool:
        if print_ in self.fingerprints:
            return True
        if file is not None and any(fnmatch.fnmatchcase(file, glob) for glob in self.paths):
            return True
        return file is not None and line is not None and (file, line) in self.marked

    def with_marked(self, marked: frozenset[tuple[str, int]]) -> SecretAllowlist:
        return SecretAllowlist(self.fingerprints, self.paths, self.marked | marked)
