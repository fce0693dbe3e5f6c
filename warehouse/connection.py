"""How the product opens the warehouse: readers never block writers, writers never break readers.

DuckDB lets one process hold a read-write lock on a file, and while it does no
other process can open the file at all. So a load never writes the live file:
it copies it, writes the copy, closes it (which checkpoints it) and renames it
over the live path in one atomic step. A reader that still has the old file
open keeps reading the old state; the next read sees the new file. A load that
fails or is killed leaves only a stray temporary file behind and the live
warehouse exactly as it was. The file is small: the big tables are Parquet files
beside it, never changed once written, which the file lists (warehouse.partitions),
so the copy costs what the small tables weigh, not what history does.

Loads take turns: a writer holds an exclusive lock (`<warehouse>.lock`) from
before it reads what is loaded until its copy is swapped in, so a second load
waits for the first and then builds on its result; neither is lost.

A writer's connection can read only the files it is given (the exports of the
load) and write only its own database: DuckDB's external access is switched
off after `allowed_paths` names them, so SQL that an export somehow smuggled
in could not read or write anything else.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from warehouse import partitions

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
    partitions.bind(con, partitions.root_of(path))
    return con


def file_version(path: str | os.PathLike) -> tuple[int, int]:
    """Changes whenever a load has replaced the file: used to know when cached readers are stale."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns)


def copy_warehouse(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """A copy of a warehouse: its file, and its Parquet files (hard links where the disk allows:
    they are never changed once written, so the copy costs nothing until one of the two is loaded)."""
    source, target = Path(source), Path(target)
    with writer_lock(source):
        shutil.copyfile(source, target)
        folder, copy = partitions.root_of(source), partitions.root_of(target)
        if copy.exists():
            shutil.rmtree(copy)
        if folder.is_dir():
            def link(src: str, dst: str) -> None:
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copy2(src, dst)
            shutil.copytree(folder, copy, copy_function=link)


def process_alive(pid: int) -> bool:
    """Is there a process with this id (whoever owns it)? Files named after a dead one are leftovers."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_copies(path: Path) -> None:
    """Copies left by a load that was killed (its process is gone) are removed; a running load's are not.
    This process's own copy is a leftover too: a writer only starts after the previous one ended."""
    for stale in path.parent.glob(f"{path.name}.tmp-*"):
        pid = stale.name.removeprefix(f"{path.name}.tmp-").removesuffix(".wal")
        if pid.isdigit() and (int(pid) == os.getpid() or not process_alive(int(pid))):
            stale.unlink(missing_ok=True)


_held: dict[tuple[Path, int], int] = {}   # (lock file, thread) -> depth: re-entrant within a thread
_held_guard = threading.Lock()


@contextlib.contextmanager
def writer_lock(path: str | os.PathLike, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock; a second writer (any process) waits here until the first is done.

    `on_wait` is called once if the lock is busy, before waiting (to tell the user why nothing moves).
    The lock is the kernel's (flock), so a writer that dies releases it."""
    lock_path = Path(path).resolve().with_name(Path(path).name + ".lock")
    key = (lock_path, threading.get_ident())
    with _held_guard:
        entered = key in _held
        if entered:
            _held[key] += 1
    if entered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+b")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def restrict_file_access(con: duckdb.DuckDBPyConnection, readable: list[str | os.PathLike] = (),
                         readable_dirs: list[str | os.PathLike] = ()) -> None:
    """From now on this connection reads only `readable` files (and files in `readable_dirs`) and
    writes no file but its own database. There is no way back: DuckDB refuses to re-enable it."""
    if readable:
        con.execute("SET allowed_paths = ?", [[str(Path(p).resolve()) for p in readable]])
    if readable_dirs:
        con.execute("SET allowed_directories = ?", [[str(Path(d).resolve()) + os.sep for d in readable_dirs]])
    con.execute("SET enable_external_access = false")


@contextlib.contextmanager
def open_writer(path: str | os.PathLike, readable: list[str | os.PathLike] = (),
                readable_dirs: list[str | os.PathLike] = (),
                on_wait: Callable[[], None] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the warehouse, swapped in on success.

    Holds the writer lock throughout (see writer_lock); the connection may read only `readable`
    files and those in `readable_dirs`. The warehouse keeps its file mode across the swap."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = partitions.root_of(path)
    with writer_lock(path, on_wait):
        _remove_abandoned_copies(path)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        con = None
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
                shutil.copymode(path, tmp)
            con = duckdb.connect(str(tmp), config=OFFLINE_CONFIG)
            con.execute("SET enable_progress_bar = false")
            # A load must fit beside the dashboard on a desktop: DuckDB spills to disk past this.
            con.execute("SET memory_limit = ?", [LOAD_MEMORY_LIMIT])
            # One checkpoint at the end, not one each time the log passes its default 16 MB mid-load.
            con.execute("SET checkpoint_threshold = '1TB'")
            parts.mkdir(exist_ok=True)
            partitions.bind(con, parts)
            restrict_file_access(con, readable, [*readable_dirs, parts])
            partitions.vacuum(con)
            yield con
            con.execute("CHECKPOINT")
            con.close()
            os.replace(tmp, path)
        except BaseException:
            if con is not None:
                con.close()
            tmp.unlink(missing_ok=True)  # a partial copy (a full disk) goes too
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            raise
