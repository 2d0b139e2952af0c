"""Refresh the vendored bundle schema from the Databricks CLI or from a file.

    python scripts/refresh_bundle_schema.py                 # runs `databricks bundle schema`
    python scripts/refresh_bundle_schema.py --from FILE     # copies a downloaded jsonschema.json
    python scripts/refresh_bundle_schema.py --cli /opt/databricks

The new document is checked before it replaces the old one: it must be JSON, have `$defs`
and `properties.resources`, and compile as a Draft 2020-12 schema. The script prints the
SHA-256 to record in dabgen_ci/data/bundle_schema/README.md together with the CLI version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import regex

TARGET = Path(__file__).resolve().parents[1] / "dabgen_ci/data/bundle_schema/jsonschema.json"


def read_from_cli(cli: str, timeout: float) -> bytes:
    """The schema printed by ``databricks bundle schema`` (needs no workspace credentials)."""
    proc = subprocess.run([cli, "bundle", "schema"], capture_output=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise SystemExit(f"`{cli} bundle schema` failed (exit {proc.returncode}): "
                         f"{first[0] if first else 'no output'}")
    return proc.stdout


def check(data: bytes) -> dict:
    """Parse and sanity-check a schema document; exit with one line if it is not one."""
    try:
        schema = json.loads(data)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"not JSON: {exc}") from None
    if not isinstance(schema, dict) or "$defs" not in schema:
        raise SystemExit("not a bundle schema: no $defs")
    if "resources" not in schema.get("properties", {}):
        raise SystemExit("not a bundle schema: no properties.resources")
    # The schema's patterns use \p{L}; check them with `regex`, as the validator does.
    formats = jsonschema.FormatChecker()
    formats.checks("regex", raises=regex.error)(regex.compile)
    try:
        jsonschema.Draft202012Validator.check_schema(schema, format_checker=formats)
    except jsonschema.SchemaError as exc:
        raise SystemExit(f"not a valid Draft 2020-12 schema: {exc.message}") from None
    return schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="copy this jsonschema.json")
    parser.add_argument("--cli", default="databricks", help="databricks executable")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    data = args.source.read_bytes() if args.source else read_from_cli(args.cli, args.timeout)
    check(data)
    old = args.output.read_bytes() if args.output.exists() else b""
    if old == data:
        print(f"unchanged: {args.output}")
        return 0
    args.output.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    print(f"updated {args.output} ({len(data)} bytes, sha256 {digest}); "
          "record the CLI version and digest in README.md beside it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
