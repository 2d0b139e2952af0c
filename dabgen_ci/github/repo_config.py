"""`.dabgen.yml` as the default branch has it — never the PR head's or the work tree's copy.

The configuration decides who may run what, so a pull request must not be able to grant
itself permissions by editing it: the file is read from `origin/<default branch>` with
`git show`, after fetching that branch.
"""

from __future__ import annotations

from dabgen_ci.config import Config, parse_config
from dabgen_ci.core.paths import PathRefused, relative, tidy
from dabgen_ci.errors import BadInputError
from dabgen_ci.git import DEFAULT_REMOTE, GitRepo


def base_ref(default_branch: str) -> str:
    return f"refs/remotes/{DEFAULT_REMOTE}/{default_branch}"


def read_base_config(repo: GitRepo, default_branch: str, config_path: str) -> Config:
    """Fetch the default branch and parse its `config_path` (absent: the defaults)."""
    repo.fetch_branch(default_branch)
    text = repo.read_at(base_ref(default_branch), _check_path(config_path))
    return parse_config(text, origin=config_path)


def _check_path(path: str) -> str:
    """The configuration file, by the one path rule (see :mod:`dabgen_ci.core.paths`)."""
    try:
        return relative(tidy(path.strip())).as_posix()
    except PathRefused as exc:
        raise BadInputError(f"config path {path!r} must be a file inside the repository "
                            f"({exc})") from None
