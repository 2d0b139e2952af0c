"""``.dabgen.yml``: what this repository manages and who may ask for what.

Checked against a JSON schema shipped in the package; every bad field is reported with its
path. The bot reads it from the *base* branch, never from a PR head, so a PR cannot grant
itself permissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dabgen_ci.config.bundles import BundleConfig, SyncSettings, bundles_from, default_name
from dabgen_ci.config.check import check_config_text
from dabgen_ci.core.secrets import SecretAllowlist
from dabgen_ci.errors import BadInputError

PERMISSION_ORDER = ("none", "read", "triage", "write", "maintain", "admin")


@dataclass(frozen=True)
class AgentConfig:
    model: str | None = None
    max_turns: int = 30
    max_budget_usd: float = 2.0
    max_rounds: int = 3


@dataclass(frozen=True)
class ReviewConfig:
    """`review:` — lint rules to skip, the severity that fails the review, the plan's target,
    and whether the agent adds a risk summary."""

    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    target: str = "prod"
    agent: bool = False


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
    review: ReviewConfig = ReviewConfig()
    secrets: SecretAllowlist = field(default_factory=SecretAllowlist)
    sync: SyncSettings = field(default_factory=SyncSettings)  # single-bundle form
    bundles: tuple[BundleConfig, ...] = ()  # the `bundles:` form

    def managed_bundles(self) -> tuple[BundleConfig, ...]:
        """What `dabgen sync` keeps in step: the `bundles:` list, else the one bundle."""
        if self.bundles:
            return self.bundles
        return (BundleConfig(self.bundle_dir, self.bundle_name or default_name(self.bundle_dir),
                             self.job_ids, self.job_names, self.job_tags, self.paths,
                             self.sync),)

    def allows(self, command_group: str, permission: str) -> bool:
        """Does a user with repository ``permission`` meet the bar for ``command_group``?"""
        needed = self.permissions.get(command_group, "write")
        have = permission if permission in PERMISSION_ORDER else "none"
        return PERMISSION_ORDER.index(have) >= PERMISSION_ORDER.index(needed)


MAX_PROBLEMS_SHOWN = 5


def parse_config(text: str | None, *, origin: str = ".dabgen.yml") -> Config:
    """Parse and check ``.dabgen.yml`` text; ``None`` (no file) gives the defaults.

    A bad file is refused with its first problems, each naming its line
    (``dabgen config check`` lists them all).
    """
    if text is None or not text.strip():
        return Config()
    data, problems = check_config_text(text, origin)
    if problems or data is None:
        shown = "; ".join(p.render(origin) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        suffix = f"; and {more} more (run `dabgen config check`)" if more > 0 else ""
        raise BadInputError(shown + suffix)
    return _from_dict(data)


def _from_dict(data: dict[str, Any]) -> Config:
    jobs = data.get("jobs") or {}
    defaults = Config()
    validation = data.get("validation") or {}
    agent = data.get("agent") or {}
    review = data.get("review") or {}
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
        sync=bundles_from(data)[0].sync if "bundles" not in data else SyncSettings(),
        bundles=bundles_from(data) if "bundles" in data else (),
        secrets=_secret_allowlist(data.get("secrets") or {}),
        review=ReviewConfig(ignore=tuple(i.upper() for i in review.get("ignore") or ()),
                            **{k: review[k] for k in ("fail_on", "target", "agent")
                               if k in review}),
    )


def _secret_allowlist(section: dict[str, Any]) -> SecretAllowlist:
    """``secrets.allow``: fingerprints a finding printed, or path globs (schema-checked)."""
    entries = section.get("allow") or []
    return SecretAllowlist(
        fingerprints=frozenset(e["fingerprint"] for e in entries if "fingerprint" in e),
        paths=tuple(e["path"] for e in entries if "path" in e),
    )
