"""A file whose bytes rule secrets out is not walked: the bytes check may say "maybe" too
often, never "no" for a file the secret rule has something to say about."""

from __future__ import annotations

import random

import pytest
import yaml

from dabgen_ci.validate.rules_secrets import check_secrets, may_hold_secret
from tests.core.test_secrets import SAMPLES

GITHUB = SAMPLES["a GitHub token"]
ESCAPED = "".join(f"\\x{ord(ch):02x}" for ch in GITHUB)  # YAML's escapes spell it anyway

FINDINGS = [
    *(f"tags:\n  k: 'x {secret} y'\n" for secret in SAMPLES.values()),
    *(f"tags:\n  '{secret}': v\n" for secret in SAMPLES.values()),
    f'tags:\n  k: "{ESCAPED}"\n',
    'tasks:\n  - spark_conf:\n      "pass\\x77ord": hunter2\n',
    "tasks:\n  - spark_conf:\n      DB_PASSWORD: hunter2\n",
    "tasks:\n  - spark_conf:\n      pa\u017fsword: hunter2\n",  # ſ: s to IGNORECASE
    "tasks:\n  - spark_conf:\n      API_\u212aEY: hunter2\n",  # the Kelvin sign: K
    "tasks:\n  - base_parameters:\n      api_token: abc123\n",
    "serving:\n  openai_api_key_plaintext: sk-123\n",
    "tasks:\n  - python_params: ['--password', pw1]\n",
    "tasks:\n  - python_params: ['--db-token=tok9']\n",
    "parameters:\n  - name: api_key\n    default: k3y\n",
    "variables:\n  db_password:\n    default: letmein\n",
    "targets:\n  prod:\n    variables:\n      Secret: s3\n",
]


@pytest.mark.parametrize("text", FINDINGS)
def test_a_file_with_a_finding_is_walked(text: str) -> None:
    assert check_secrets(yaml.safe_load(text), None)
    assert may_hold_secret(text.encode())
    assert may_hold_secret(text.encode("utf-16"))


def test_a_generated_job_file_is_not_walked() -> None:
    text = ("resources:\n  jobs:\n    etl:\n      name: etl\n      tasks:\n"
            "        - task_key: a\n          notebook_task:\n"
            "            notebook_path: ../src/a.py\n")
    assert not may_hold_secret(text.encode())
    assert may_hold_secret(None)
    assert may_hold_secret(b"\xff" + text.encode())  # not UTF-8: not known


def test_random_documents() -> None:
    """Random configurations, written by PyYAML (which escapes what it must): whenever the
    rule finds something, the bytes said it might."""
    rng = random.Random(7)
    keys = ["tags", "spark_conf", "base_parameters", "parameters", "python_params", "args",
            "env", "variables", "name", "default", "value", "x_plaintext", "db_password",
            "token", "tokenizer", "secret_scope", "api-key", "PassWord", "k", GITHUB,
            "pa\u017fswd", "\u212aey"]
    values = ["v", "", "{{secrets/s/k}}", "${var.x}", "--password", "--token=t1", "pw",
              "https://x", *SAMPLES.values(), "tab\there", "caf\u00e9", "\x07bell"]

    def node(depth: int) -> object:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(values)
        if roll < 0.7:
            return [node(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(keys): node(depth + 1) for _ in range(rng.randint(0, 3))}

    flagged = 0
    for _ in range(3000):
        doc = {rng.choice(keys): node(0) for _ in range(rng.randint(1, 3))}
        data = yaml.safe_dump(doc, allow_unicode=rng.random() < 0.5).encode()
        if check_secrets(yaml.safe_load(data), None):
            flagged += 1
            assert may_hold_secret(data), data
    assert flagged > 300  # the corpus does exercise the rule
