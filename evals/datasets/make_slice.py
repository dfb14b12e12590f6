"""Write the vendored slice of the public sets (evals/data/slice/) from ../shared/evaldata.

    python -m evals.datasets.make_slice [--source ../shared/evaldata] [--out evals/data/slice]

The slice keeps the layout and the JSON format of the full files: the first
two SQuAD 2.0 dev-half articles (one per split) and the first articles of
XQuAD en and zh (parallel), a few paragraphs each with all their questions,
plus the licence. Tests run the whole suite on it without ../shared.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from evals.datasets.squad import SHARED, VENDORED_SLICE, EvalFiles

SQUAD_ARTICLES, SQUAD_PARAGRAPHS = 2, 3
XQUAD_ARTICLES, XQUAD_PARAGRAPHS = 3, 1


def cut(path: Path, articles: int, paragraphs: int) -> dict:
    """The first `paragraphs` paragraphs of the first `articles` articles of a SQuAD-format file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    kept = [{**a, "paragraphs": a["paragraphs"][:paragraphs]} for a in data["data"][:articles]]
    return {"version": data["version"], "data": kept}


def write_slice(source: EvalFiles, out: EvalFiles) -> None:
    """Cut each set of `source` into `out`'s layout, with the licence next to the XQuAD files."""
    jobs = [(source.squad_dev_half, out.squad_dev_half, SQUAD_ARTICLES, SQUAD_PARAGRAPHS)]
    jobs += [(source.xquad(lang), out.xquad(lang), XQUAD_ARTICLES, XQUAD_PARAGRAPHS) for lang in ("en", "zh")]
    for src, dst, articles, paragraphs in jobs:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(json.dumps(cut(src, articles, paragraphs), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
    licence = source.root / "xquad" / "LICENSE-CC-BY-SA4.0.txt"
    shutil.copyfile(licence, out.root / licence.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=VENDORED_SLICE)
    args = parser.parse_args()
    write_slice(EvalFiles(args.source), EvalFiles(args.out))


if __name__ == "__main__":
    main()
