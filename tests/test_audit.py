"""`.ci/audit.py` against a fake PyPI JSON API: a fixable vulnerability fails CI, an older pin is listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

AUDIT = Path(__file__).resolve().parent.parent / ".ci" / "audit.py"
VULNERABLE, OUTDATED = "fastapi", "httpx"


@contextmanager
def fake_pypi() -> Iterator[str]:
    """Every installed project at its installed version, except: one has a fixable vulnerability,
    one has a newer release."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = self.path.split("/")[2]
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                self.send_error(404)
                return
            info = {"info": {"version": "999.0" if name == OUTDATED else version.split("+")[0]},
                    "vulnerabilities": []}
            if name == VULNERABLE:
                info["vulnerabilities"] = [{"id": "PYSEC-0000-1", "fixed_in": ["999.1"], "link": "https://osv.dev/x"}]
            body = json.dumps(info).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi/{{}}/json"
    finally:
        server.shutdown()


def test_a_fixable_vulnerability_fails_the_audit_and_an_older_pin_is_named():
    with fake_pypi() as url:
        run = subprocess.run([sys.executable, str(AUDIT)], env=os.environ | {"AUDIT_PYPI_JSON": url},
                             capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{VULNERABLE} " in run.stdout and "PYSEC-0000-1 fixed in 999.1" in run.stdout
    assert f"{OUTDATED} {metadata.version(OUTDATED)} (latest 999.0)" in run.stdout
