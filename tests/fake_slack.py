"""A local fake of Slack's Web API (and response_url endpoint) that records every call.

A real HTTP server on 127.0.0.1 (an ephemeral port, one thread per request). Point a WebClient
at `fake.api_url`; give payloads `fake.response_url(name)` as their response_url. It can be
told to fail the next call(s) to a method with a 429 (Retry-After: 1), a 500 or a Slack error.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"
RESPONSE_URL_METHOD = "response_url"


@dataclass
class Call:
    """One request the fake received: the Web API method (or "response_url") and its params."""

    method: str
    params: dict[str, Any]
    path: str
    authorization: str | None = None
    at: float = field(default_factory=time.monotonic)

    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def block_text(self) -> str:
        """All text in the blocks (sections, contexts, buttons), one piece per line."""
        return "\n".join(_texts(self.blocks()))


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [
            t
            for key, value in node.items()
            if key != "text" or not isinstance(value, str)
            for t in _texts(value)
        ]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


@dataclass
class _Failure:
    method: str | None
    kind: str
    times: int


class FakeSlack:
    """Start with `with FakeSlack() as fake:` (or `.start()` / `.stop()`)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.websocket_url: str | None = None
        self._failures: list[_Failure] = []
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval makes stop() quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"{self.url}/response/{name}"

    # -- control ------------------------------------------------------------------------------

    def fail_next(self, kind: str, method: str | None = None, times: int = 1) -> None:
        """Fail the next `times` calls (to `method`, or any): kind is "429", "500" or an error code."""
        with self._changed:
            self._failures.append(_Failure(method, kind, times))

    def reset(self) -> None:
        with self._changed:
            self.calls.clear()
            self._failures.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `count` calls to `method` (matching `where`) arrived; fail after `timeout`."""
        deadline = time.monotonic() + timeout

        def matching() -> list[Call]:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

        with self._changed:
            while len(found := matching()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} call(s) to {method}; got {seen}")
                self._changed.wait(left)
            return found

    def assert_quiet(self, seconds: float = 0.3, method: str | None = None) -> None:
        """Assert that no call (to `method`) arrives within `seconds`."""
        with self._changed:
            before = len([c for c in self.calls if method is None or c.method == method])
            self._changed.wait_for(
                lambda: len([c for c in self.calls if method is None or c.method == method]) > before,
                timeout=seconds,
            )
            after = [c for c in self.calls if method is None or c.method == method]
        assert len(after) == before, f"unexpected calls: {[c.method for c in after[before:]]}"

    # -- the server ---------------------------------------------------------------------------

    def _record(self, call: Call) -> _Failure | None:
        with self._changed:
            self.calls.append(call)
            failure = next((f for f in self._failures if f.method in (None, call.method)), None)
            if failure:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
            self._changed.notify_all()
            return failure

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1700000000 + next(self._ts)}.000100"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://newsroom.slack.com/",
                "team": "Newsroom",
                "user": "newsdesk",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in ("reactions.add", "reactions.remove", "views.publish"):
            return {"ok": True}
        if method == "apps.connections.open":
            if not self.websocket_url:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.websocket_url}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw, keep_blank_values=True))
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/") :].split("?")[0]
                elif self.path.startswith("/response/"):
                    method = RESPONSE_URL_METHOD
                else:
                    self._send(404, "text/plain", "not found")
                    return
                call = Call(method, params, self.path, self.headers.get("Authorization"))
                failure = fake._record(call)
                if failure and failure.kind == "429":
                    self._send(
                        429, "application/json", '{"ok": false, "error": "ratelimited"}', {"Retry-After": "1"}
                    )
                elif failure and failure.kind in ("500", "502", "503", "504"):
                    self._send(int(failure.kind), "text/plain", "upstream trouble")
                elif failure and method == RESPONSE_URL_METHOD:
                    # response_url errors come back as a non-200 status with the code as plain text.
                    self._send(404, "text/plain", failure.kind)
                elif failure:
                    self._send(200, "application/json", json.dumps({"ok": False, "error": failure.kind}))
                elif method == RESPONSE_URL_METHOD:
                    self._send(200, "text/plain", "ok")
                else:
                    self._send(200, "application/json", json.dumps(fake._answer(method, params)))

            def _send(self, status: int, kind: str, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
