"""A target's deployment state in a served snapshot, as `databricks bundle deploy` (or
`bundle deployment bind`) leaves it in the workspace: `<root_path>/state/terraform.tfstate`
(the Terraform engine) or `resources.json` (the direct engine)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.servers.workspace_server import USER_NAME

DEMO_BOUND = {"nightly_sales_etl": 1001, "revenue_dashboard_refresh": 1002,
              "per_region_backfill": 1003}


def state_dir(snapshot: Path, bundle: str, *, target: str = "prod",
              user: str = USER_NAME) -> Path:
    """The snapshot folder of ``/Workspace/Users/<user>/.bundle/<bundle>/<target>/state``."""
    return snapshot / "workspace" / "Users" / user / ".bundle" / bundle / target / "state"


def deploy_state(snapshot: Path, bundle: str, ids: Mapping[str, int], *,
                 engine: str = "terraform", serial: int = 3, folder: Path | None = None) -> Path:
    """Write the state file binding each resource key to its job id; returns its path."""
    folder = folder or state_dir(snapshot, bundle)
    folder.mkdir(parents=True, exist_ok=True)
    if engine == "terraform":
        path, body = folder / "terraform.tfstate", {
            "version": 4, "terraform_version": "1.5.5", "serial": serial,
            "lineage": "4f7c1d8e-0000-4000-8000-000000000000", "outputs": {},
            "resources": [
                {"mode": "managed", "type": "databricks_job", "name": key,
                 "provider": 'provider["registry.terraform.io/databricks/databricks"]',
                 "instances": [{"schema_version": 2, "attributes": {
                     "id": str(job_id), "url": f"https://example/jobs/{job_id}"},
                     "sensitive_attributes": []}]}
                for key, job_id in ids.items()]}
    else:
        path, body = folder / "resources.json", {
            "state_version": 2, "cli_version": "0.280.0", "serial": serial,
            "lineage": "4f7c1d8e-0000-4000-8000-000000000000",
            "state": {f"resources.jobs.{key}": {"__id__": str(job_id), "state": {}}
                      for key, job_id in ids.items()}}
    path.write_text(json.dumps(body, indent=2))
    return path
