"""Names for JSON-shaped data whose shape the code checks at run time, not the type checker.

dabgen reads raw API JSON (``jobs/get``, ``jobs/list``, SCIM, clusters, runs) and YAML
documents (bundle files, ``.dabgen.yml``) on purpose without the SDK's typed models, which
drop fields they do not know. Their shape is whatever the server or the person wrote, and
every reader checks it where it matters (``workspace/paging.expect_object``, the snapshot
reader, the bundle and config schemas, an ``isinstance`` before each step into a value).
One name says what such a value is — "a JSON object as it arrived" — where a bare ``dict``
or an ``Any`` would say nothing.

A precise recursive JSON type would need an ``isinstance`` at every step of every read,
which those run-time checks already make; where dabgen knows a shape, it has a record
(a dataclass or NamedTuple) instead of a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

#: A JSON object as an API or a YAML document gave it: string keys, values unchecked.
JsonObject: TypeAlias = dict[str, Any]

#: A JSON array as it arrived: items unchecked.
JsonArray: TypeAlias = list[Any]

#: The same object, read only: a function that only looks at it takes this.
JsonMapping: TypeAlias = Mapping[str, Any]
