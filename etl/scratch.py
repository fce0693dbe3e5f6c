"""A private scratch folder for one load (UTF-8 copies of GB18030/UTF-16 exports).

Such a copy holds everything the export holds, so it must not outlive the load:
the folder is readable by its owner only, removed when the load ends however it
ends, and a folder left by a load that was killed (its process gone) is removed
by the next load that starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from warehouse.connection import process_alive

PREFIX = "emss-load-"


def sweep(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove the scratch folders of loads whose process is gone; returns what was removed."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def scratch_folder(root: str | os.PathLike | None = None) -> Iterator[Path]:
    """A new folder (mode 700) named after this process, removed on the way out."""
    sweep(root)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
