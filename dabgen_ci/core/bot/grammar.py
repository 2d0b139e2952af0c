"""The `/dabgen` comment grammar (pure: text in, command record out).

A comment is a dabgen comment when its first non-blank line starts with `/dabgen` (any
case, followed by a space or the end of the line). Only that line is the command; the
lines after it are free text for the agent. Requiring the command on the first line,
rather than anywhere, keeps the parser in step with the workflow's
`startsWith(github.event.comment.body, '/dabgen')` filter and stops quotes and discussion
that merely mention a command from triggering the bot.

A known command word always means the structured command: `/dabgen job abc` is
`Malformed`, never a free-form request, so a typo cannot silently reach the agent. Any
other text after `/dabgen` is `FreeForm`. Comment text is data: every value that later
becomes a branch name, a path or a YAML value is validated here, and `branch_for` only
ever builds names out of digits, `[a-z0-9-]` and hex.

Unicode that looks like the grammar is read as what it looks like, where that is safe: in
the command part (the `/dabgen` prefix, the command word, job ids, target and variable
names) every Unicode space and invisible format character is a separator, lookalike
slashes (`／ ∕ ⁄ …`) are `/`, and compatibility forms fold to ASCII (`ｊｏｂ １００１` is
`job 1001`). Values a user means literally — a workspace path, a variable's value, a
free-form request — are never folded: a path holding a lookalike slash or a non-ASCII
space is refused with a message naming the character, because it is not the path it
looks like.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dabgen_ci.core.bot.lookalikes import LOOKALIKE_SLASHES, Line, describe, fold_char
from dabgen_ci.core.paths import lexical_problem

PREFIX = "/dabgen"
BRANCH_PREFIX = "dabgen/"
MAX_JOB_IDS = 20
MAX_JOB_ID = 2**63 - 1
MAX_PATH_LENGTH = 512
MAX_VAR_VALUE_LENGTH = 200
MAX_SLUG_LENGTH = 60
MAX_IDS_IN_BRANCH = 4
WORKSPACE_ROOTS = ("/Workspace", "/Users", "/Repos", "/Shared")

_TARGET_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_SHELL_META = frozenset("`$&|;<>(){}[]*?!~#'\"\\")
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control, format (bidi), line breaks
_PATH_USAGE = "use an absolute workspace path such as `/Workspace/Users/me@example.com/etl`"


@dataclass(frozen=True)
class JobCommand:
    """`job <id> [<id>...]`: generate a bundle for these jobs (ids in the order given).

    ``extra_lines``: the comment's lines under the command, a request for the agent to apply
    to the generated bundle. Not part of the command's identity (branch, equality).
    """

    ids: tuple[int, ...]
    extra_lines: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class PathCommand:
    """`path <workspace path>`: generate a bundle for the jobs whose code lives there."""

    path: str
    extra_lines: tuple[str, ...] = field(default=(), compare=False)  # as for JobCommand


@dataclass(frozen=True)
class SyncCommand:
    """`sync`: refresh every job and path that `.dabgen.yml` manages."""


@dataclass(frozen=True)
class ValidateCommand:
    """`validate`: validate the bundle on this PR's branch and report."""


@dataclass(frozen=True)
class ReviewCommand:
    """`review`: post the review comment (diagnostics, lint, secrets, bind notes)."""


@dataclass(frozen=True)
class RegenerateCommand:
    """`regenerate`: rebuild the bundle on this PR's branch from the workspace."""


@dataclass(frozen=True)
class TargetAddCommand:
    """`target add <name>`: add a deployment target to `databricks.yml`."""

    name: str


@dataclass(frozen=True)
class VarCommand:
    """`var <name>=<value>`: set a bundle variable's default."""

    name: str
    value: str


@dataclass(frozen=True)
class HelpCommand:
    """`help` (or a bare `/dabgen`): reply with `HELP_TEXT`."""


@dataclass(frozen=True)
class FreeForm:
    """Anything else after `/dabgen`: a request for the agent, with the comment's other lines."""

    text: str
    extra_lines: tuple[str, ...]


@dataclass(frozen=True)
class Malformed:
    """A known command word with bad arguments; `reason` tells the user how to fix it."""

    command: str
    reason: str


Command = (
    JobCommand | PathCommand | SyncCommand | ValidateCommand | ReviewCommand
    | RegenerateCommand | TargetAddCommand | VarCommand | HelpCommand | FreeForm | Malformed
)

HELP_TEXT = """\
**dabgen commands** — put the command on the first line of a comment:

- `/dabgen job <id> [<id>...]` — turn up to 20 jobs into a bundle on branch
  `dabgen/job-<id>` and open a pull request
- `/dabgen path <workspace path>` — the same for the jobs whose code is under a folder
  (`/Workspace/...`, `/Users/...`, `/Repos/...` or `/Shared/...`)
- `/dabgen sync` — refresh everything `.dabgen.yml` manages, on branch `dabgen/sync`
- `/dabgen validate` — validate the bundle of this pull request
- `/dabgen review` — review this pull request: diagnostics, lint findings, secrets, bind notes
- `/dabgen regenerate` — rebuild this pull request's bundle from the workspace
- `/dabgen target add <name>` — add a deployment target (`[a-z][a-z0-9_-]`, up to 40 characters)
- `/dabgen var <name>=<value>` — set a bundle variable's default (one line, up to 200 characters)
- `/dabgen help` — show this list

Anything else after `/dabgen` is a free-form request for the agent, e.g.
`/dabgen use serverless compute and add a prod target`; the lines below the command give
the agent more context.
"""


def parse_comment(body: str) -> Command | None:
    """Parse a comment body; None when it is not a dabgen comment."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = next((i for i, line in enumerate(lines) if Line.of(line).folded.strip()), None)
    if index is None:
        return None
    first = Line.of(lines[index]).strip()
    if first.folded[: len(PREFIX)].lower() != PREFIX:
        return None
    rest = first[len(PREFIX):]
    if rest.folded and not rest.folded[0].isspace():
        return None
    extra = _trim_blank(lines[index + 1:])
    return _parse_command_line(rest.strip(), extra)


def _trim_blank(lines: list[str]) -> tuple[str, ...]:
    """Drop leading and trailing blank lines, keep the inner ones (they can be paragraphs)."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return tuple(line.rstrip() for line in lines[start:end])


def _parse_command_line(text: Line, extra: tuple[str, ...]) -> Command:
    if not text.folded:
        return HelpCommand()
    word, args = text.split_word()
    parser = _PARSERS.get(word)
    if parser is None:
        return FreeForm(text=text.raw, extra_lines=extra)
    command = parser(args)
    if isinstance(command, JobCommand | PathCommand) and extra:
        return replace(command, extra_lines=extra)
    return command


def _no_args(word: str, command: Command) -> Callable[[Line], Command]:
    def parse(args: Line) -> Command:
        if args.folded:
            return Malformed(
                word,
                f"`/dabgen {word}` takes no arguments; to ask the agent something, phrase the "
                "request without starting it with a command word",
            )
        return command

    return parse


def _parse_job(line: Line) -> Command:
    tokens = [t for t in re.split(r"[\s,]+", line.folded) if t]
    if not tokens:
        return Malformed("job", "give at least one job id, e.g. `/dabgen job 123`")
    ids: list[int] = []
    for token in tokens:
        if not token.isascii() or not token.isdigit() or len(token) > 19:
            reason = f"`{_shorten(token)}` is not a job id; ids are positive numbers"
            return Malformed("job", reason)
        value = int(token)
        if value <= 0 or value > MAX_JOB_ID:
            return Malformed("job", f"`{token}` is not a job id; ids are positive numbers")
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_JOB_IDS:
        return Malformed("job", f"at most {MAX_JOB_IDS} job ids per command, got {len(ids)}")
    return JobCommand(tuple(ids))


def _parse_path(line: Line) -> Command:
    args = line.raw
    path = args.rstrip("/") if len(args) > 1 else args
    reason = path_problem(path)
    if reason:
        return Malformed("path", reason)
    return PathCommand(path)


def path_problem(path: str) -> str | None:
    """Why `path` is not an acceptable workspace path, or None when it is."""
    if not path:
        return f"give a workspace path; {_PATH_USAGE}"
    if len(path) > MAX_PATH_LENGTH:
        return f"the path is longer than {MAX_PATH_LENGTH} characters"
    if any(unicodedata.category(ch) in _INVISIBLE for ch in path):
        return "the path contains control or invisible characters"
    lookalike = next((ch for ch in path if ch in LOOKALIKE_SLASHES
                      or (ch != " " and unicodedata.category(ch) == "Zs")), None)
    if lookalike is not None:
        looks = "`/`" if fold_char(lookalike) == "/" else "a space"
        return (f"the path contains {describe(lookalike)}, which looks like {looks} but is "
                "not; type it again with a plain `/` and plain spaces")
    bad = sorted({ch for ch in path if ch in _SHELL_META})
    if bad:
        shown = " ".join(f"`{ch}`" for ch in bad)
        return f"the path contains characters dabgen does not accept: {shown}"
    if not any(path == root or path.startswith(root + "/") for root in WORKSPACE_ROOTS):
        return f"`{_shorten(path)}` is not an absolute workspace path; {_PATH_USAGE}"
    problem = lexical_problem(path[1:], reserved=(), device_names=False)
    if problem:
        return f"the path {problem}; it must not contain empty, `.` or `..` segments"
    return None


def _parse_target(line: Line) -> Command:
    sub, rest = line.split_word()
    name = rest.folded
    if sub != "add" or not name:
        return Malformed("target", "usage: `/dabgen target add <name>`, e.g. `target add staging`")
    if not _TARGET_NAME.fullmatch(name):
        return Malformed(
            "target",
            f"`{_shorten(name)}` is not a target name; use a lower-case letter followed by up "
            "to 39 of `a-z 0-9 _ -`",
        )
    return TargetAddCommand(name)


def _parse_var(line: Line) -> Command:
    equals = line.folded.find("=")
    sep = equals >= 0
    name = line.folded[:equals].strip() if sep else line.folded
    value = line[equals + 1:].strip().raw if sep else ""
    if not sep or not name:
        return Malformed("var", "usage: `/dabgen var <name>=<value>`, e.g. `var catalog=main`")
    if not _VAR_NAME.fullmatch(name):
        return Malformed(
            "var",
            f"`{_shorten(name)}` is not a variable name; use letters, digits and `_`, "
            "not starting with a digit",
        )
    if len(value) > MAX_VAR_VALUE_LENGTH:
        return Malformed("var", f"the value is longer than {MAX_VAR_VALUE_LENGTH} characters")
    if any(unicodedata.category(ch) in _INVISIBLE for ch in value):
        return Malformed("var", "the value contains control or invisible characters")
    return VarCommand(name, value)


def _shorten(text: str, limit: int = 40) -> str:
    """Keep echoed user input short and free of backticks that would break the markdown."""
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PARSERS = {
    "job": _parse_job,
    "path": _parse_path,
    "sync": _no_args("sync", SyncCommand()),
    "validate": _no_args("validate", ValidateCommand()),
    "review": _no_args("review", ReviewCommand()),
    "regenerate": _no_args("regenerate", RegenerateCommand()),
    "target": _parse_target,
    "var": _parse_var,
    "help": _no_args("help", HelpCommand()),
}


def branch_for(command: Command) -> str:
    """The branch a branch-creating command works on.

    Jobs: the ids sorted (so `job 2 1` and `job 1 2` share a branch and a PR), up to
    `MAX_IDS_IN_BRANCH` spelled out (`dabgen/job-1-2`), more as `dabgen/jobs-<12 hex>` of
    their sorted list. Paths: `dabgen/path-<slug>-<8 hex>`, the slug the path's tail in
    `[a-z0-9-]` (at most 60 characters), the hash over the canonical path (case kept, the
    `/Workspace` prefix of `/Workspace/Users|Shared|Repos` dropped) so paths that slug
    alike still get distinct branches. The other commands act on an existing PR's branch
    and have none of their own: ValueError.
    """
    if isinstance(command, JobCommand):
        ids = sorted(command.ids)
        if len(ids) <= MAX_IDS_IN_BRANCH:
            return BRANCH_PREFIX + "job-" + "-".join(str(i) for i in ids)
        return BRANCH_PREFIX + "jobs-" + _hash(",".join(str(i) for i in ids), 12)
    if isinstance(command, PathCommand):
        canonical = canonical_path(command.path)
        return f"{BRANCH_PREFIX}path-{_slug(canonical)}-{_hash(canonical, 8)}"
    if isinstance(command, SyncCommand):
        return BRANCH_PREFIX + "sync"
    name = type(command).__name__
    raise ValueError(f"{name} works on an existing branch and has none of its own")


def canonical_path(path: str) -> str:
    """`/Workspace/Users/x` and `/Users/x` name the same folder; use the short form."""
    path = path.rstrip("/") or "/"
    for root in ("/Users", "/Shared", "/Repos"):
        long = "/Workspace" + root
        if path == long or path.startswith(long + "/"):
            return path[len("/Workspace"):]
    return path


def _slug(path: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", path).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[-MAX_SLUG_LENGTH:].lstrip("-")
    return slug or "root"


def _hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
