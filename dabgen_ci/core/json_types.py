"""Names for JSON-shaped data whose shape the code checks at run time, not the type checker.

dabgen reads raw API JSON (``jobs/get``, ``jobs/list``, SCIM, clusters, runs) and YAML
documents (bundle files, ``.dabgen.yml``) on purpose without the SDK's typed models, which
drop fields they do not know. Their shape is whatever the server or the person wrote, and
every reader checks it where it matters (``workspace/paging.expect_object``, the bundle
schema, the config schema). One name for that says what a value is — "a JSON object as it
arrived" — instead of a bare ``dict`` or an ``Any`` with no story.

``JsonValue`` is the precise recursive type, for values dabgen *builds* (the ``--json``
output, MCP results) where every branch is known; reading an arriving document through it
would need an ``isinstance`` at every step, which the run-time checks already do, so those
are typed ``JsonObject`` (values unchecked, keys strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

#: Any JSON value, built by dabgen (a ``--json`` result, a tool's answer).
JsonValue: TypeAlias = (
    "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
)

#: A JSON object as an API or a YAML document gave it: string keys, values unchecked.
JsonObject: TypeAlias = dict[str, Any]

#: A JSON array as it arrived: items unchecked.
JsonArray: TypeAlias = list[Any]

#: The same, read only: a function that only looks at the object takes this.
JsonMapping: TypeAlias = Mapping[str, Any]
