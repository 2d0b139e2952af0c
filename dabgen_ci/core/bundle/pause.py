"""``pause_status`` of a job's ``schedule``, ``trigger`` and ``continuous``: one rule (pure).

**Absent means UNPAUSED.** The Jobs API gives all three that default — ``continuous``:
"Defaults to UNPAUSED"; ``trigger``: "Defaults to UNPAUSED when unset; the server always
returns an explicit value on read" (``jobs.ContinuousSettings`` / ``jobs.TriggerSettings``
in the Jobs API spec as the Databricks SDKs and the bundle schema carry it); ``schedule``:
"When the pause_status field is omitted and a schedule is provided, the server will default
to using UNPAUSED" (databricks/terraform-provider-databricks, ``docs/resources/job.md``,
the same text for ``continuous`` and ``trigger``).

Why it matters: ``jobs/get`` always says ``pause_status: UNPAUSED``, and the Databricks CLI
pauses a schedule, trigger or continuous run in a development-mode deploy **only where
pause_status is unset** (databricks/cli ``bundle/config/mutator/apply_target_mode.go`` sets
the ``trigger_pause_status`` preset to PAUSED; ``apply_presets.go`` fills it in where
``PauseStatus == ""``; databricks/cli#885: "Unpaused is also the behavior when nothing was
specified"). A bundle that copies the explicit UNPAUSED makes ``bundle deploy --target dev``
run a second copy of a production job on its schedule. So:

* :func:`omit_default_pause_status` is the one normalisation: the converter writes its
  result, and everything that compares settings with the workspace (round-trip check, sync
  merge and triage, the base record, the review's deploy plan) compares through it, so an
  absent ``pause_status`` and UNPAUSED are the same value everywhere and PAUSED is a change;
* :func:`deploy_default`, :func:`deployed_pause_status` and :func:`as_deployed` say what a
  deploy of a target makes of an unset ``pause_status`` (the CLI's presets), for the lint
  rule DAB005 and the deploy plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PAUSABLE: tuple[str, ...] = ("schedule", "trigger", "continuous")
PAUSED = "PAUSED"
UNPAUSED = "UNPAUSED"
API_DEFAULT = UNPAUSED
# YAML paths of the three pause statuses in a job (a comparison's ``path``).
PAUSE_PATHS = frozenset(f"{field}.pause_status" for field in PAUSABLE)


def omit_default_pause_status(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` (job settings or a job resource) without ``pause_status: UNPAUSED`` in
    ``schedule``, ``trigger`` and ``continuous``; PAUSED and any other value stay.

    A shallow copy: the input is not modified. The section itself always stays, even when
    ``pause_status`` was its only key (``continuous: {}`` is still a continuous job).
    """
    out = dict(settings)
    for field in PAUSABLE:
        spec = out.get(field)
        if isinstance(spec, Mapping) and spec.get("pause_status") == API_DEFAULT:
            out[field] = {k: v for k, v in spec.items() if k != "pause_status"}
    return out


def deploy_default(presets: object, mode: object) -> str:
    """The ``pause_status`` a deploy of a target gives a section that sets none.

    The CLI's order: development mode sets the ``trigger_pause_status`` preset to PAUSED
    unless the target sets it; the preset then fills every unset ``pause_status`` (PAUSED
    for any value but UNPAUSED — other values fail validation there); with no preset nothing
    is filled in and the API default, UNPAUSED, applies.
    """
    preset = presets.get("trigger_pause_status") if isinstance(presets, Mapping) else None
    if not preset:
        preset = PAUSED if mode == "development" else None
    if preset is None:
        return API_DEFAULT
    return UNPAUSED if preset == UNPAUSED else PAUSED


def deployed_pause_status(spec: Mapping[str, Any], default: str) -> object:
    """The ``pause_status`` a deploy gives one section: its own, else ``default``
    (:func:`deploy_default`; the CLI fills in only where ``PauseStatus == ""``)."""
    return spec.get("pause_status") or default


def as_deployed(settings: Mapping[str, Any], default: str) -> dict[str, Any]:
    """``settings`` as a deploy sends them: every section's ``pause_status`` as
    :func:`deployed_pause_status` says. A shallow copy: the input is not modified."""
    out = dict(settings)
    for field in PAUSABLE:
        spec = out.get(field)
        if isinstance(spec, Mapping):
            out[field] = {**spec, "pause_status": deployed_pause_status(spec, default)}
    return out
