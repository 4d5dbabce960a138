"""digest's version, read once from the installed package's metadata (pyproject.toml holds it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("digest")
except PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0+unknown"
