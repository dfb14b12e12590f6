"""Find article files under the paths a user names."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from qa.ingest.errors import SkippedInput


def source_key(path: Path) -> str:
    """The stable name of a file: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def find_files(paths: list[Path]) -> Iterator[Path | SkippedInput]:
    """Every file under `paths` (folders recursively, sorted; hidden entries skipped)."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        elif path.is_file():
            yield path
        else:
            yield SkippedInput(str(path), "no such file or folder")
