"""Replacing a file so that a reader sees the old version or the new one, never half of either."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write` on a fresh temporary path beside `path`, sync it to disk, and rename it over `path`.

    The temporary name is unique per call, so two processes replacing the same
    file at once (two workers opening a new index) each rename a whole file of
    their own and the last one wins.
    """
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
