"""Known vulnerabilities in the installed dependencies, from PyPI's JSON API (pip-audit's source).

pip-audit asks PyPI per version (/pypi/<name>/<version>/json) or OSV; neither is reachable
from this project's CI network, but the per-project document (/pypi/<name>/json) is, and it
lists the known vulnerabilities of the latest release. So: a dependency pinned at its latest
release is audited exactly; any other is listed as not auditable here. Exit 1 when a known
vulnerability with a fix is found; 0 otherwise (including when PyPI cannot be reached).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

PYPI = os.environ.get("AUDIT_PYPI_JSON", "https://pypi.org/pypi/{}/json")  # tests point it at a fake


def audit(name: str, version: str) -> tuple[str, str, str, list[dict] | None]:
    """(name, version, latest, vulnerabilities or None when this version cannot be audited)."""
    try:
        with urllib.request.urlopen(PYPI.format(name), timeout=30) as response:
            data = json.load(response)
    except urllib.error.HTTPError:  # not on PyPI (a local or renamed distribution)
        return name, version, "not on PyPI", None
    latest = data["info"]["version"]
    installed = version.split("+")[0]  # local labels such as torch's "+cpu"
    vulnerabilities = [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return name, installed, latest, vulnerabilities if installed == latest else None


def main() -> int:
    installed = sorted({(d.metadata["Name"], d.version) for d in metadata.distributions()
                        if d.metadata["Name"] and d.metadata["Name"].lower() not in ("citeqa", "pip", "setuptools")})
    try:
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda nv: audit(*nv), installed))
    except OSError as err:
        print(f"audit: PyPI's JSON API cannot be reached ({err}); dependencies not audited", file=sys.stderr)
        return 0
    fixable = [(n, v, x) for n, v, _, vulns in results if vulns for x in vulns if x.get("fixed_in")]
    unaudited = [f"{n} {v} (latest {latest})" for n, v, latest, vulns in results if vulns is None]
    audited = len(results) - len(unaudited)
    print(f"audit: {audited} of {len(results)} installed distributions audited (pinned at their latest "
          f"release); {len(fixable)} known vulnerabilities with a fix")
    if unaudited:
        print("audit: not auditable here (older than the latest release): " + ", ".join(unaudited))
    for name, version, vuln in fixable:
        print(f"audit: {name} {version}: {vuln['id']} fixed in {', '.join(vuln['fixed_in'])} — {vuln.get('link', '')}")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
