"""Where things live. Every path the product uses is decided here.

The warehouse path comes from `--warehouse`, else the `EMSS_WAREHOUSE`
environment variable, else `data/emss.duckdb` under the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
QUERIES_DIR = PROJECT_DIR / "queries"
DASHBOARD_APP = PROJECT_DIR / "dashboard" / "app.py"

DEFAULT_WAREHOUSE = Path("data") / "emss.duckdb"


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse file: explicit argument, then EMSS_WAREHOUSE, then the default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("EMSS_WAREHOUSE")
    if env:
        return Path(env)
    return DEFAULT_WAREHOUSE
