"""The `/dabgen` comment grammar and the branch names it leads to."""

from __future__ import annotations

import subprocess

import pytest

from dabgen_ci.core.bot.grammar import (
    HELP_TEXT,
    MAX_JOB_IDS,
    Command,
    FreeForm,
    HelpCommand,
    JobCommand,
    Malformed,
    PathCommand,
    RegenerateCommand,
    ReviewCommand,
    SyncCommand,
    TargetAddCommand,
    ValidateCommand,
    VarCommand,
    branch_for,
    canonical_path,
    parse_comment,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/dabgen job 123", JobCommand((123,))),
        ("/dabgen job 3 1 2", JobCommand((3, 1, 2))),
        ("/dabgen job 5 5 7 5", JobCommand((5, 7))),
        ("/dabgen job 1, 2,3", JobCommand((1, 2, 3))),
        ("/dabgen JOB 42", JobCommand((42,))),
        ("/DABGEN job 42", JobCommand((42,))),
        ("  /dabgen   job\t 42  ", JobCommand((42,))),
        ("\n\n/dabgen job 42\r\nmore text", JobCommand((42,))),
        ("/dabgen path /Workspace/Users/a@b.com/etl", PathCommand("/Workspace/Users/a@b.com/etl")),
        ("/dabgen path /Users/a@b.com/my etl/", PathCommand("/Users/a@b.com/my etl")),
        ("/dabgen path /Shared", PathCommand("/Shared")),
        ("/dabgen path /Repos/team/proj+1:x,y=z", PathCommand("/Repos/team/proj+1:x,y=z")),
        ("/dabgen path /Shared/données", PathCommand("/Shared/données")),
        ("/dabgen sync", SyncCommand()),
        ("/dabgen validate", ValidateCommand()),
        ("/dabgen review", ReviewCommand()),
        ("/dabgen regenerate", RegenerateCommand()),
        ("/dabgen help", HelpCommand()),
        ("/dabgen", HelpCommand()),
        ("/dabgen   \nplease", HelpCommand()),
        ("/dabgen target add staging", TargetAddCommand("staging")),
        ("/dabgen target ADD prod-eu_2", TargetAddCommand("prod-eu_2")),
        ("/dabgen var catalog=main", VarCommand("catalog", "main")),
        ("/dabgen var warehouse_id = abc 123 ", VarCommand("warehouse_id", "abc 123")),
        ("/dabgen var empty=", VarCommand("empty", "")),
        ("/dabgen var expr=a=b", VarCommand("expr", "a=b")),
    ],
)
def test_structured_commands(body: str, expected: object) -> None:
    assert parse_comment(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n \n",
        "please run /dabgen job 1",
        "> /dabgen job 1",
        "```\n/dabgen job 1\n```",
        "/dabgenjob 1",
        "/dabgen-job 1",
        "dabgen job 1",
        "thanks!\n/dabgen job 1",
    ],
)
def test_not_a_dabgen_comment(body: str) -> None:
    assert parse_comment(body) is None


def test_free_form_keeps_text_and_extra_lines() -> None:
    body = "/dabgen use serverless and add a prod target\n\nDetails:\n- keep tags\n\n"
    assert parse_comment(body) == FreeForm(
        "use serverless and add a prod target", ("Details:", "- keep tags")
    )


def test_free_form_first_word_that_is_not_a_command() -> None:
    assert parse_comment("/dabgen jobs 1 2") == FreeForm("jobs 1 2", ())


def test_structured_commands_ignore_the_extra_lines() -> None:
    assert parse_comment("/dabgen job 7\nuse serverless please") == JobCommand((7,))


@pytest.mark.parametrize(
    ("body", "command", "hint"),
    [
        ("/dabgen job", "job", "at least one job id"),
        ("/dabgen job abc", "job", "`abc` is not a job id"),
        ("/dabgen job 0", "job", "`0` is not a job id"),
        ("/dabgen job -5", "job", "`-5` is not a job id"),
        ("/dabgen job 1.5", "job", "not a job id"),
        ("/dabgen job ١٢٣", "job", "not a job id"),
        ("/dabgen job 99999999999999999999", "job", "not a job id"),
        ("/dabgen job 9223372036854775808", "job", "not a job id"),
        ("/dabgen path", "path", "give a workspace path"),
        ("/dabgen path ../etc", "path", "not an absolute workspace path"),
        ("/dabgen path /Users/a/../../etc", "path", "`..`"),
        ("/dabgen path /Users/a/./b", "path", "`.`"),
        ("/dabgen path /Users//a", "path", "empty"),
        ("/dabgen path /etc/passwd", "path", "not an absolute workspace path"),
        ("/dabgen path /Usersfoo/x", "path", "not an absolute workspace path"),
        ("/dabgen path Users/a", "path", "not an absolute workspace path"),
        ("/dabgen path /Users/a/$(rm -rf ~)", "path", "`$`"),
        ("/dabgen path /Users/a;ls", "path", "`;`"),
        ("/dabgen path /Users/a`id`", "path", "characters dabgen does not accept"),
        ("/dabgen path /Users/a|b", "path", "`|`"),
        ("/dabgen path /Users/a\x07b", "path", "control"),
        ("/dabgen path /Users/a\u202eb", "path", "invisible"),
        ("/dabgen path /Users/" + "a" * 600, "path", "longer than"),
        ("/dabgen sync now", "sync", "takes no arguments"),
        ("/dabgen validate everything", "validate", "takes no arguments"),
        ("/dabgen help me", "help", "takes no arguments"),
        ("/dabgen target", "target", "usage"),
        ("/dabgen target remove x", "target", "usage"),
        ("/dabgen target add Prod", "target", "not a target name"),
        ("/dabgen target add 1st", "target", "not a target name"),
        ("/dabgen target add " + "a" * 41, "target", "not a target name"),
        ("/dabgen target add a b", "target", "not a target name"),
        ("/dabgen var", "var", "usage"),
        ("/dabgen var catalog", "var", "usage"),
        ("/dabgen var =x", "var", "usage"),
        ("/dabgen var 1x=2", "var", "not a variable name"),
        ("/dabgen var a-b=2", "var", "not a variable name"),
        ("/dabgen var x=" + "v" * 201, "var", "longer than 200"),
        ("/dabgen var x=a\x00b", "var", "control"),
    ],
)
def test_malformed_commands_say_what_to_fix(body: str, command: str, hint: str) -> None:
    result = parse_comment(body)
    assert isinstance(result, Malformed), result
    assert result.command == command
    assert hint in result.reason
    assert "\n" not in result.reason


def test_job_id_limit_counts_distinct_ids() -> None:
    ids = " ".join(str(i) for i in range(1, MAX_JOB_IDS + 1))
    assert parse_comment(f"/dabgen job {ids} {ids}") == JobCommand(tuple(range(1, 21)))
    too_many = parse_comment(f"/dabgen job {ids} 21")
    assert isinstance(too_many, Malformed)
    assert "at most 20" in too_many.reason


def test_echoed_input_is_short_and_cannot_break_markdown() -> None:
    result = parse_comment("/dabgen job `" + "x" * 100)
    assert isinstance(result, Malformed)
    assert "``" not in result.reason
    assert len(result.reason) < 120


def test_commands_are_frozen() -> None:
    command = JobCommand((1,))
    with pytest.raises(AttributeError):
        command.ids = (2,)  # type: ignore[misc]  # the point: a frozen record refuses it


def test_help_text_lists_every_command() -> None:
    for word in ("job", "path", "sync", "validate", "review", "regenerate", "target add",
                 "var", "help"):
        assert f"`/dabgen {word}" in HELP_TEXT


@pytest.mark.parametrize(
    ("command", "branch"),
    [
        (JobCommand((123,)), "dabgen/job-123"),
        (JobCommand((3, 1, 2)), "dabgen/job-1-2-3"),
        (JobCommand((4, 3, 2, 1)), "dabgen/job-1-2-3-4"),
        (SyncCommand(), "dabgen/sync"),
    ],
)
def test_branch_names(command: Command, branch: str) -> None:
    assert branch_for(command) == branch


def test_many_job_ids_get_a_stable_hashed_branch() -> None:
    one = branch_for(JobCommand((5, 4, 3, 2, 1)))
    assert one == branch_for(JobCommand((1, 2, 3, 4, 5)))
    assert one.startswith("dabgen/jobs-")
    assert len(one.removeprefix("dabgen/jobs-")) == 12
    assert one != branch_for(JobCommand((1, 2, 3, 4, 6)))


def test_path_branch_slug_and_hash() -> None:
    branch = branch_for(PathCommand("/Workspace/Users/a@b.com/My ETL"))
    assert branch.startswith("dabgen/path-users-a-b-com-my-etl-")
    assert branch == branch_for(PathCommand("/Users/a@b.com/My ETL"))
    assert branch != branch_for(PathCommand("/Users/a@b.com/my etl"))
    assert branch != branch_for(PathCommand("/Users/a@b.com/My-ETL"))


def test_path_branch_slug_is_bounded_and_keeps_the_tail() -> None:
    path = "/Shared/" + "/".join(f"folder{i}" for i in range(30)) + "/nightly"
    branch = branch_for(PathCommand(path))
    slug = branch.removeprefix("dabgen/path-")[:-9]
    assert len(slug) <= 60
    assert slug.endswith("folder29-nightly")
    assert not slug.startswith("-")


def test_canonical_path() -> None:
    assert canonical_path("/Workspace/Shared/x/") == "/Shared/x"
    assert canonical_path("/Workspace/Users") == "/Users"
    assert canonical_path("/Workspace/Other/x") == "/Workspace/Other/x"


@pytest.mark.parametrize(
    "command", [ValidateCommand(), HelpCommand(), FreeForm("x", ()), Malformed("job", "r")]
)
def test_commands_without_a_branch_of_their_own(command: Command) -> None:
    with pytest.raises(ValueError, match="existing branch"):
        branch_for(command)


BRANCH_CASES = [
    JobCommand((1,)),
    JobCommand((9223372036854775807, 1, 2, 3)),
    JobCommand(tuple(range(1, 21))),
    PathCommand("/Workspace/Users/first.last+tag@example.com/My Project (old)"),
    PathCommand("/Shared/日本語/ノートブック"),
    PathCommand("/Shared/" + "ä" * 500),
    PathCommand("/Repos/a.lock/b..c/@{x}/.hidden"),
    PathCommand("/Users"),
    PathCommand("/Shared/---/..."),
    SyncCommand(),
]


@pytest.mark.parametrize("command", BRANCH_CASES)
def test_every_branch_name_passes_git_check_ref_format(command: Command) -> None:
    branch = branch_for(command)
    proc = subprocess.run(
        ["git", "check-ref-format", "--branch", branch], capture_output=True, text=True,
        check=False,
    )
    assert proc.returncode == 0, (branch, proc.stderr)
    assert proc.stdout.strip() == branch
    assert branch.isascii()
    assert " " not in branch


def test_parsed_paths_give_valid_branches() -> None:
    body = "/dabgen path /Workspace/Users/x@y.z/Ünïcode dir/sub.folder"
    command = parse_comment(body)
    assert isinstance(command, PathCommand)
    branch = branch_for(command)
    assert branch.startswith("dabgen/path-users-x-y-z-unicode-dir-sub-folder-")
    subprocess.run(["git", "check-ref-format", "--branch", branch], check=True,
                   capture_output=True)
