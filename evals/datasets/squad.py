"""SQuAD-format data sets (SQuAD 2.0 dev half, XQuAD) as corpora plus questions.

The split of the SQuAD 2.0 dev half is fixed by article: the articles at
even positions of the file train the answer scorer, the others evaluate
it. Paragraphs that XQuAD shares with the dev half never train (checked by
text), so XQuAD can evaluate too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.readers import RawArticle

SHARED = Path(__file__).resolve().parents[3] / "shared" / "evaldata"
# A few paragraphs of each set, laid out like SHARED, so tests need no ../shared (see its SOURCES.md).
VENDORED_SLICE = Path(__file__).resolve().parents[1] / "data" / "slice"


@dataclass(frozen=True)
class EvalFiles:
    """Where the public sets are: a folder laid out as ../shared/evaldata."""

    root: Path = SHARED

    @property
    def squad_dev_half(self) -> Path:
        return self.root / "squad2-dev-cs224n" / "dev-v2.0.cs224n-half.json"

    def xquad(self, lang: str) -> Path:
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        return self.root / "xquad" / f"xquad.{lang}.json"


@dataclass(frozen=True)
class QAItem:
    """One question with its gold answers (none when unanswerable)."""

    id: str
    question: str
    answers: tuple[str, ...]
    paragraph_key: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class QASet:
    """Paragraphs to index and the questions asked of them."""

    name: str
    articles: tuple[RawArticle, ...]
    items: tuple[QAItem, ...]


def load(path: Path, name: str, split: str = "all", exclude_texts: frozenset[str] = frozenset()) -> QASet:
    """A SQuAD-format file; `split` is 'train', 'eval' or 'all' (by article position)."""
    if split not in ("train", "eval", "all"):
        raise ValueError(f"split must be 'train', 'eval' or 'all', got {split!r}")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: put the evaluation data in ../shared/evaldata/ "
                                f"or name its folder with --evaldata (see evals/README.md)")
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles, items = [], []
    for position, article in enumerate(data):
        if split != "all" and (position % 2 == 0) != (split == "train"):
            continue
        for n, paragraph in enumerate(article["paragraphs"]):
            if paragraph["context"] in exclude_texts:
                continue
            key = f"{name}:{article['title']}:{n}"
            articles.append(RawArticle(key=key, body=paragraph["context"],
                                       title=article["title"].replace("_", " "), markdown=False))
            for qa in paragraph["qas"]:
                gold = tuple(dict.fromkeys(a["text"] for a in qa.get("answers", [])))
                items.append(QAItem(qa["id"], qa["question"], () if qa.get("is_impossible") else gold, key))
    return QASet(name, tuple(articles), tuple(items))


def paragraph_texts(path: Path) -> frozenset[str]:
    """Every paragraph of a SQuAD-format file (to keep splits apart by text)."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return frozenset(p["context"] for a in data for p in a["paragraphs"])
