"""PostgreSQL servers for tests, with data where no other test run can reach it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_data_dir() -> Iterator[Path]:
    """A data directory for a pgserver PostgreSQL, outside pytest's temporary tree, removed afterwards.

    Run as root, pgserver starts postgres as an unprivileged user and opens
    the folders above its data to it. Any other pytest session of the same
    user closes /tmp/pytest-of-<user> again (mode 0700) and deletes old
    session folders, and the server then panics mid-test ("could not open
    file global/pg_control: Permission denied"), which is how the suite
    failed when another run shared the machine. A folder of its own under
    the system temp is touched by neither.
    """
    parent = Path(tempfile.mkdtemp(prefix="citeqa-pg-"))
    try:
        yield parent / "data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)
