"""The project's hand-written gold set for the bundled sample corpus (evals/data/).

Each line is a question (`kind`: factoid, why, paraphrase, chinese,
cross_lingual, unanswerable) with its acceptable answer spans and the
articles (file names in data/) that support them, or a `conversation` of
such turns, asked in order in one conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "data" / "sample_gold.jsonl"
KINDS = ("factoid", "why", "paraphrase", "chinese", "cross_lingual", "unanswerable")


@dataclass(frozen=True)
class GoldQuestion:
    """A question, the spans that count as right, and the articles that hold them."""

    id: str
    kind: str
    question: str
    answers: tuple[str, ...]
    documents: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class GoldConversation:
    """Questions asked in order in one conversation; later ones are follow-ups."""

    id: str
    turns: tuple[GoldQuestion, ...]


@dataclass(frozen=True)
class GoldSet:
    questions: tuple[GoldQuestion, ...]
    conversations: tuple[GoldConversation, ...]


def load(path: Path = GOLD) -> GoldSet:
    """Read and check the gold set."""
    questions, conversations = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["kind"] == "conversation":
            turns = tuple(_question(f"{row['id']}.{i}", "followup" if i else "factoid", t)
                          for i, t in enumerate(row["turns"]))
            conversations.append(GoldConversation(row["id"], turns))
        elif row["kind"] in KINDS:
            questions.append(_question(row["id"], row["kind"], row))
        else:
            raise ValueError(f"{path}:{n}: kind must be one of {KINDS + ('conversation',)}, got {row['kind']!r}")
    return GoldSet(tuple(questions), tuple(conversations))


def _question(qid: str, kind: str, row: dict) -> GoldQuestion:
    return GoldQuestion(qid, kind, row["question"], tuple(row["answers"]), tuple(row["documents"]))
