"""Turn a raw article body into canonical text: noise out, markup out.

The cleaned text is what every citation offset points into, so cleaning
only drops whole lines or markup characters; it never rewrites words.
"""

from __future__ import annotations

import re

# Whole lines that are page furniture, not reporting.
_NOISE_LINES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^photo\s*:.*$",
        r"^(photo|image)s?\s*(credit|courtesy)\b.*$",
        r"^trending now$",
        r"^open image in gallery\b.*$",
        r"^subscribe free to our daily newsletters\s*\|?$",
        r"^related links$",
        r"^learn about .* at \S+\.(com|org|net)$",
        r"^(advertisement|sponsored content|read more|share this article)$",
        r"^\[?(source link|原文链接)\]?\(.*\)$",
        r"^[-*_]{3,}$",
    )
]
# "Thierry Monas | Getty Images News | Getty Images": a credit, pipes between short names.
_CREDIT_LINE = re.compile(r"^[^.!?。|]{1,60}(\s\|\s[^.!?。|]{1,60}){1,4}$")
_CREDIT_WORDS = re.compile(r"getty|reuters|afp|ap photo|images|photo|shutterstock|credit", re.I)
# A short line right above such a credit is the photo's caption, not reporting.
_CAPTION_MAX_WORDS = 20
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_QUOTE = re.compile(r"^>\s?")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_noise_line(line: str) -> bool:
    """True for a line that is page furniture (credits, widgets, footers)."""
    return any(p.match(line) for p in _NOISE_LINES) or _is_credit(line)


def _is_credit(line: str) -> bool:
    return bool(_CREDIT_LINE.match(line) and _CREDIT_WORDS.search(line))


def strip_markdown(line: str) -> str:
    """Drop markdown emphasis, link targets, heading and quote markers."""
    line = _MD_HEADING.sub("", line)
    line = _MD_QUOTE.sub("", line)
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    previous = None
    while previous != line:
        previous = line
        line = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), line)
    return line


def clean_text(raw: str, drop_lines: tuple[str, ...] = ()) -> str:
    """Canonical text: one paragraph per kept line, paragraphs split by a blank line.

    `drop_lines` are lines already taken as metadata (headline, byline,
    dateline) that must not repeat in the body.
    """
    dropped = {_norm(d) for d in drop_lines if d}
    kept: list[str] = []
    last_was_kept = False
    for raw_line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _SPACES.sub(" ", _CONTROL.sub("", raw_line)).strip()
        if line and _is_credit(line) and last_was_kept and len(kept[-1].split()) <= _CAPTION_MAX_WORDS:
            kept.pop()
        last_was_kept = False
        if not line or is_noise_line(line):
            continue
        line = strip_markdown(line).strip()
        if not line or is_noise_line(line) or _norm(line) in dropped:
            continue
        if kept and kept[-1] == line:  # repeated furniture, e.g. doubled footer lines
            continue
        kept.append(line)
        last_was_kept = True
    return "\n\n".join(kept)


def _norm(line: str) -> str:
    return _SPACES.sub(" ", strip_markdown(line)).strip().casefold()
