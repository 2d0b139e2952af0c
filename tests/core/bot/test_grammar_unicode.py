"""Unicode that looks like the grammar: read as what it looks like in the command part,
refused with the character named in values meant literally (a workspace path)."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bot.grammar import (
    FreeForm,
    HelpCommand,
    JobCommand,
    Malformed,
    PathCommand,
    SyncCommand,
    TargetAddCommand,
    VarCommand,
    parse_comment,
)
from dabgen_ci.core.bot.lookalikes import LOOKALIKE_SLASHES, fold_char

READ_AS_THEY_LOOK = [
    ("/dabgen job\u30001001", JobCommand((1001,))),  # ideographic space
    ("/dabgen\u3000job\u30001001", JobCommand((1001,))),
    ("/dabgen job\u00a01001", JobCommand((1001,))),  # no-break space
    ("/dabgen job\u20021001\u2003 1002", JobCommand((1001, 1002))),  # en/em spaces
    ("/dabgen job\u200b1001", JobCommand((1001,))),  # zero-width space
    ("\ufeff/dabgen job 1001", JobCommand((1001,))),  # byte-order mark first
    ("/dabgen job 1001\uff0c1002", JobCommand((1001, 1002))),  # fullwidth comma
    ("/dabgen job \uff11\uff10\uff10\uff11", JobCommand((1001,))),  # fullwidth digits
    ("/dabgen \uff4a\uff4f\uff42 7", JobCommand((7,))),  # fullwidth "job"
    ("\uff0fdabgen job 7", JobCommand((7,))),  # fullwidth solidus
    ("\u2215dabgen job 7", JobCommand((7,))),  # division slash
    ("\u2044dabgen job 7", JobCommand((7,))),  # fraction slash
    ("\u29f8dabgen sync", SyncCommand()),  # big solidus
    ("\uff0f\uff44\uff41\uff42\uff47\uff45\uff4e\u3000sync", SyncCommand()),
    ("/dabgen\u3000", HelpCommand()),
    ("/dabgen target\u3000add\u3000staging", TargetAddCommand("staging")),
    ("/dabgen var\u3000catalog\uff1dmain", VarCommand("catalog", "main")),
    ("/dabgen path\u3000/Workspace/Users/a@b.com/etl",
     PathCommand("/Workspace/Users/a@b.com/etl")),
]


@pytest.mark.parametrize(("body", "expected"), READ_AS_THEY_LOOK)
def test_lookalikes_in_the_command_part_read_as_they_look(body: str, expected: object) -> None:
    assert parse_comment(body) == expected


REFUSED_IN_PATHS = [
    ("/dabgen path /Workspace\u2215Users\u2215me", "U+2215 DIVISION SLASH"),
    ("/dabgen path /Workspace/Users\uff0fme", "U+FF0F FULLWIDTH SOLIDUS"),
    ("/dabgen path /Workspace/Users/me\u2044etl", "U+2044 FRACTION SLASH"),
    ("/dabgen path /Workspace/Users/my\u3000etl", "U+3000 IDEOGRAPHIC SPACE"),
    ("/dabgen path /Workspace/Users/my\u00a0etl", "U+00A0 NO-BREAK SPACE"),
    ("/dabgen path /Workspace/Users/my\u200betl", "invisible"),
]


@pytest.mark.parametrize(("body", "named"), REFUSED_IN_PATHS)
def test_lookalikes_inside_a_path_are_refused_and_named(body: str, named: str) -> None:
    result = parse_comment(body)
    assert isinstance(result, Malformed) and result.command == "path", result
    assert named in result.reason


@pytest.mark.parametrize(("body", "expected"), [
    # Values meant literally are kept as typed.
    ("/dabgen var label=ｆｕｌｌ\u3000width", VarCommand("label", "ｆｕｌｌ\u3000width")),
    ("/dabgen ｕｓｅ serverless", FreeForm("ｕｓｅ serverless", ())),
    # Digits that only look alike in other scripts are not job ids.
    ("/dabgen job \u0661\u0662\u0663", Malformed("job", "`١٢٣` is not a job id; ids are "
                                                  "positive numbers")),
    # Still not a command: the prefix must be the first thing on the line.
    ("> \uff0fdabgen job 1", None),
    ("/dabgen\u2215job 1", None),
])
def test_what_is_not_folded(body: str, expected: object) -> None:
    assert parse_comment(body) == expected


def test_fold_char_keeps_one_character_per_character() -> None:
    for ch in ["a", "/", " ", "\u3000", "\u200b", "\uff41", "\u00e9", "\u65e5", "\ufb01",
               *LOOKALIKE_SLASHES]:
        assert len(fold_char(ch)) == 1
    assert fold_char("\ufb01") == "\ufb01"  # "ﬁ" folds to two letters: kept as it is
    assert fold_char("\u00e9") == "\u00e9"
