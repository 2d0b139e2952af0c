"""``.dabgen.yml``: what this repository manages and who may ask for what.

Checked against a JSON schema shipped in the package; every bad field is reported with its
path. The bot reads it from the *base* branch, never from a PR head, so a PR cannot grant
itself permissions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from dabgen_ci.core.limits import yaml_text_problem
from dabgen_ci.errors import BadInputError

PERMISSION_ORDER = ("none", "read", "triage", "write", "maintain", "admin")


@dataclass(frozen=True)
class AgentConfig:
    model: str | None = None
    max_turns: int = 30
    max_budget_usd: float = 2.0
    max_rounds: int = 3


@dataclass(frozen=True)
class Config:
    bundle_dir: str = "bundle"
    bundle_name: str | None = None
    job_ids: tuple[int, ...] = ()
    job_names: tuple[str, ...] = ()
    job_tags: tuple[tuple[str, str], ...] = ()
    paths: tuple[str, ...] = ()
    permissions: dict[str, str] = field(default_factory=lambda: {
        "generate": "write", "refine": "write", "validate": "write", "sync": "write"})
    validation_cli: str = "auto"
    agent: AgentConfig = AgentConfig()

    def allows(self, command_group: str, permission: str) -> bool:
        """Does a user with repository ``permission`` meet the bar for ``command_group``?"""
        needed = self.permissions.get(command_group, "write")
        have = permission if permission in PERMISSION_ORDER else "none"
        return PERMISSION_ORDER.index(have) >= PERMISSION_ORDER.index(needed)


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("dabgen_ci.data.config").joinpath("dabgen.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def parse_config(text: str | None, *, origin: str = ".dabgen.yml") -> Config:
    """Parse and check ``.dabgen.yml`` text; ``None`` (no file) gives the defaults."""
    if text is None or not text.strip():
        return Config()
    too_costly = yaml_text_problem(text)
    if too_costly:
        raise BadInputError(f"{origin}: refusing to read it: {too_costly}")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BadInputError(f"{origin}: not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise BadInputError(f"{origin}: expected a mapping at the top level")
    problems = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        shown = "; ".join(
            f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in problems[:5]
        )
        raise BadInputError(f"{origin}: {shown}")
    return _from_dict(data)


def _from_dict(data: dict[str, Any]) -> Config:
    jobs = data.get("jobs") or {}
    defaults = Config()
    validation = data.get("validation") or {}
    agent = data.get("agent") or {}
    return Config(
        bundle_dir=str(data.get("bundle_dir", defaults.bundle_dir)).strip("/") or ".",
        bundle_name=data.get("bundle_name"),
        job_ids=tuple(jobs.get("ids") or ()),
        job_names=tuple(jobs.get("names") or ()),
        job_tags=tuple(sorted((jobs.get("tags") or {}).items())),
        paths=tuple(data.get("paths") or ()),
        permissions={**defaults.permissions, **(data.get("permissions") or {})},
        validation_cli=validation.get("cli", "auto"),
        agent=AgentConfig(**{k: agent[k] for k in agent}),
    )
