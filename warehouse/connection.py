"""How the product opens the warehouse: readers never block writers, writers never break readers.

DuckDB lets one process hold a read-write lock on a file, and while it does no
other process can open the file at all. So a load never writes the live file:
it copies it, writes the copy, closes it (which checkpoints it) and renames it
over the live path in one atomic step. A reader that still has the old file
open keeps reading the old state; the next read sees the new file. A load that
fails or is killed leaves only a stray temporary file behind and the live
warehouse exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

# Nothing may be fetched at run time: no extension downloads, ever.
OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


LOAD_MEMORY_LIMIT = os.environ.get("EMSS_LOAD_MEMORY", "1500MB")


def connect_memory() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=OFFLINE_CONFIG)
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        # In a Jupyter kernel without ipywidgets DuckDB refuses the setting; there
        # the progress bar is off already (checked on DuckDB 2.0.1).
        pass
    return con


def open_reader(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse, as the dashboard and CLI use it.

    The file is attached to a fresh in-memory database rather than opened by
    path: DuckDB caches databases by path inside a process, and a reader that
    reopened by path would keep seeing the file that a load has since replaced.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"No warehouse at {path}. Build one with `emss demo --no-serve` or load exports with `emss ingest`."
        )
    con = connect_memory()
    con.execute("ATTACH ? AS wh (READ_ONLY)", [str(path)])
    con.execute("USE wh")
    return con


def file_version(path: str | os.PathLike) -> tuple[int, int]:
    """Changes whenever a load has replaced the file: used to know when cached readers are stale."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns)


def _remove_abandoned_copies(path: Path) -> None:
    """Copies left by a load that was killed (its process is gone) are removed; a running load's are not."""
    for stale in path.parent.glob(f"{path.name}.tmp-*"):
        pid = stale.name.removeprefix(f"{path.name}.tmp-").removesuffix(".wal")
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            alive = int(pid) != os.getpid()
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            stale.unlink(missing_ok=True)


@contextlib.contextmanager
def open_writer(path: str | os.PathLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the warehouse, swapped in on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_copies(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    if path.exists():
        shutil.copyfile(path, tmp)
    con = duckdb.connect(str(tmp), config=OFFLINE_CONFIG)
    con.execute("SET enable_progress_bar = false")
    # A load must fit beside the dashboard on a desktop: DuckDB spills to disk past this.
    con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
    # One checkpoint at the end, not one each time the log passes its default 16 MB mid-load.
    con.execute("SET checkpoint_threshold = '1TB'")
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
