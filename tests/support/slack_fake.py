"""A fake Slack Web API: a real HTTP server on loopback that records what the bot sends.

It answers auth.test, chat.postMessage and response_url posts the way Slack
does (the shape Bolt's own tests use), so the bot runs unmodified.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_USER = "UBOT"


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if "json" in self.headers.get("content-type", ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                with fake._lock:
                    fake.calls.append((self.path, body))
                reply = {"ok": True}
                if self.path.endswith("/auth.test"):
                    reply |= {"user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "citeqa"}
                elif self.path.endswith("/chat.postMessage"):
                    reply |= {"channel": body.get("channel"), "ts": f"{time.time():.6f}"}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posted(self, path_end: str) -> list[dict]:
        with self._lock:
            return [body for path, body in self.calls if path.endswith(path_end)]

    def wait_for(self, path_end: str, count: int = 1, timeout_s: float = 30.0) -> list[dict]:
        """The bodies posted to `path_end` once there are `count` of them."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.posted(path_end)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"expected {count} posts to {path_end}, got {self.posted(path_end)}")

    def forget(self) -> None:
        """Drop the calls recorded so far (a new app under test starts from nothing)."""
        with self._lock:
            self.calls.clear()

    def close(self) -> None:
        self.server.shutdown()
