"""Newest evidence first: when quotes from articles of different dates compete, the latest leads."""

from __future__ import annotations

from dataclasses import replace

from qa.types import Answer

# In confidence units: an older quote keeps the lead only when it is this much more confident than
# the newest one. Chosen on the time questions' tune split (evals/data/time, 19 questions): first
# quote right .632 at 0, .684 at .1 to .3, .737 at .5 and 1; the smaller of the best.
NEWER_MARGIN = 0.5
# The best ranked answers that compete for the lead, however many are asked for, so that the first
# answer does not depend on `top_k`.
RIVALS = 3


def newest_first(answers: tuple[Answer, ...], margin: float = NEWER_MARGIN, floor: float = 0.0) -> tuple[Answer, ...]:
    """`answers` (best ranked first) led by the newest dated one of the first `RIVALS` within `margin` of the best.

    A newer quote competes only when it is itself an answer, its confidence
    reaching `floor` (the reader's calibrated threshold): a doubtful quote
    never displaces a confident one for being recent. The others keep their
    order; a quote from an article published before the leading one's is
    marked `older`. An undated article is never older
    than anything, and a dated quote within `margin` leads over an undated
    best one: its date says as of when the answer holds.
    """
    if not answers:
        return answers
    best = answers[0]
    rivals = [a for a in answers[:RIVALS] if a.published is not None and a.score >= max(best.score - margin, floor)
              and (best.published is None or a.published > best.published)]
    lead = max(rivals, key=lambda a: a.published, default=best)
    if lead.published is None:
        return answers
    ordered = (lead, *(a for a in answers if a is not lead))
    return tuple(replace(a, older=a.published is not None and a.published < lead.published) for a in ordered)
