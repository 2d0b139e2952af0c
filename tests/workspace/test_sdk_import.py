"""Every databricks-sdk import of dabgen goes through ``dabgen_ci.workspace.sdk``, which loads
the SDK's client without its service modules: a direct ``import databricks.sdk...``
elsewhere would run the package's ``__init__`` first and cost every command its second."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "dabgen_ci" / "workspace" / "sdk.py"


def sdk_imports(path: Path) -> list[int]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(n == "databricks" or n.startswith("databricks.") for n in names):
            found.append(node.lineno)
    return found


def test_only_the_gate_imports_the_sdk() -> None:
    sources = [*(ROOT / "dabgen_ci").rglob("*.py"), *(ROOT / "mcp_server").rglob("*.py")]
    offenders = {str(p.relative_to(ROOT)): lines for p in sources
                 if p != GATE and "/data/" not in p.as_posix() and (lines := sdk_imports(p))}
    assert offenders == {}
    assert sdk_imports(GATE)  # the check can see an import
