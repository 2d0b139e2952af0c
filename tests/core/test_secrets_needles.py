"""``has_token`` looks for the shapes' needles before the shapes: the same answer as the
shapes alone, on the samples and on random text made of needles, token parts and noise."""

from __future__ import annotations

import random

import pytest

from dabgen_ci.core.secrets import _ANY_TOKEN, TOKEN_SHAPES, find_tokens, has_token
from tests.core.test_secrets import SAMPLES

PIECES = [*SAMPLES.values(), *(n for s in TOKEN_SHAPES for n in s.needles), "dapi", "ghp",
          "_", "-", " ", "\n",
          "0123456789abcdef" * 2, "ABCDEFGHIJKLMNOP", "Za9_-" * 8, "-----BEGIN RSA ",
          "PRIVATE KEY-----", "x", "é", "${var.a}"]


@pytest.mark.parametrize("what", sorted(SAMPLES))
def test_every_sample_match_holds_a_needle_of_its_shape(what: str) -> None:
    [match] = find_tokens(f"a {SAMPLES[what]} b")
    assert any(needle in match.text for needle in match.shape.needles)
    assert has_token(SAMPLES[what])


@pytest.mark.parametrize("seed", range(200))
def test_same_answer_as_the_shapes_alone(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(50):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randrange(1, 8)))
        assert has_token(text) is (_ANY_TOKEN.search(text) is not None), repr(text)
