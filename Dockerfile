# syntax=docker/dockerfile:1
# Image of the dabgen GitHub Action (`runs.image` in action.yml): Python, git and a pinned
# Databricks CLI for `databricks bundle validate`. Build: docker build -t dabgen .

# --- Databricks CLI: a pinned release, verified before use ------------------------------
FROM python:3.12-slim-bookworm AS databricks-cli

# The version and BOTH checksums change together: when you bump DATABRICKS_CLI_VERSION,
# copy the new sha256 values from the release's databricks_cli_<version>_SHA256SUMS asset
# (or the linux_*_sha lines of Formula/databricks.rb in databricks/homebrew-tap). These
# values were taken from that formula for v1.9.0; they could not be re-downloaded and
# checked from the environment this file was written in, so the first build verifies them.
ARG DATABRICKS_CLI_VERSION=1.9.0
ARG DATABRICKS_CLI_SHA256_AMD64=10938da31db7f89e6e90f6be41d340e3387231e5da5125cfc97ecb8cb66f6394
ARG DATABRICKS_CLI_SHA256_ARM64=a4fcc3b70ed4b26f0e8064e39287d0692218cf3d2f549042d66d04c9ad2d692a
ARG TARGETARCH=amd64

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl unzip \
    && rm -rf /var/lib/apt/lists/*

RUN set -eu; \
    case "${TARGETARCH}" in \
      amd64) sum="${DATABRICKS_CLI_SHA256_AMD64}" ;; \
      arm64) sum="${DATABRICKS_CLI_SHA256_ARM64}" ;; \
      *) echo "unsupported architecture: ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    zip="databricks_cli_${DATABRICKS_CLI_VERSION}_linux_${TARGETARCH}.zip"; \
    curl -fsSL --retry 3 -o "/tmp/${zip}" \
      "https://github.com/databricks/cli/releases/download/v${DATABRICKS_CLI_VERSION}/${zip}"; \
    echo "${sum}  /tmp/${zip}" | sha256sum -c -; \
    unzip -q "/tmp/${zip}" databricks -d /tmp/cli; \
    install -m 0755 /tmp/cli/databricks /usr/local/bin/databricks; \
    /usr/local/bin/databricks --version

# --- the action -------------------------------------------------------------------------
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# GitHub mounts the checkout at /github/workspace; git must trust it whatever its owner.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory /github/workspace

COPY --from=databricks-cli /usr/local/bin/databricks /usr/local/bin/databricks

COPY . /tmp/dabgen-src
RUN pip install --no-cache-dir "/tmp/dabgen-src[agent]" && rm -rf /tmp/dabgen-src

# Non-root. GitHub-hosted runners own /github/workspace and $GITHUB_OUTPUT as uid 1001 (the
# `runner` user), so the same uid can read the checkout and write outputs. Self-hosted
# runners with another uid need --build-arg APP_UID=<their uid>.
ARG APP_UID=1001
RUN useradd --create-home --uid "${APP_UID}" --shell /usr/sbin/nologin dabgen
USER dabgen

ENTRYPOINT ["dabgen", "action"]
