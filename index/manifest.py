"""The index directory's self-description: format, embedder, dimension, counts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from index.atomic_file import replace_atomically

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


class IndexMismatchError(Exception):
    """The index on disk was built differently from what the settings ask for."""


@dataclass(frozen=True)
class Manifest:
    """What `manifest.json` records about an index directory."""

    embedder: str
    dimension: int
    format_version: int = FORMAT_VERSION
    counts: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    created: str = ""
    updated: str = ""


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest of `directory`, or None for a new index."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    known = set(Manifest.__dataclass_fields__)
    return Manifest(**{k: v for k, v in data.items() if k in known})


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    data = asdict(manifest) | {"created": manifest.created or now, "updated": now}
    replace_atomically(directory / MANIFEST_NAME,
                       lambda tmp: tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"))


def check_compatible(manifest: Manifest, embedder: str, dimension: int, directory: Path) -> None:
    """Refuse an index built with another format, embedder or dimension."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index at {directory} has format version {manifest.format_version}; this citeqa "
            f"reads version {FORMAT_VERSION}. Re-ingest into a new QA_INDEX_DIR.")
    if manifest.embedder != embedder or manifest.dimension != dimension:
        raise IndexMismatchError(
            f"index at {directory} was built with embedder '{manifest.embedder}' "
            f"({manifest.dimension}-d), but the settings ask for '{embedder}' ({dimension}-d). "
            f"Set QA_EMBEDDER={manifest.embedder}, or use another QA_INDEX_DIR.")
