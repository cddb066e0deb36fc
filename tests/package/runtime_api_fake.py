"""A Lambda Runtime API that serves queued events and records what the runtime posts back.

It implements the four endpoints a custom runtime uses (facts.md, "Lambda Runtime API"):
GET .../invocation/next, POST .../invocation/{id}/response, POST .../invocation/{id}/error and
POST .../init/error. Like the real service, /next blocks while the queue is empty (here until
close()), so a runtime that has handled everything simply waits.
"""

import json
import queue
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The test kills the runtime at the end, resetting its keep-alive connections: expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RuntimeApiFake:
    def __init__(self):
        self._events = queue.Queue()
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._closing = threading.Event()
        # request id -> ("response" | "error", parsed body, headers dict)
        self.results = {}
        self.init_errors = []
        self.next_requests = 0
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self):
        """host:port, the value of AWS_LAMBDA_RUNTIME_API."""
        host, port = self._server.server_address
        return f"{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def close(self):
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def enqueue(self, request_id, event, deadline_ms=None):
        """Queues one invocation; the deadline defaults to 60 s from now."""
        if deadline_ms is None:
            deadline_ms = int(time.time() * 1000) + 60_000
        self._events.put((request_id, json.dumps(event).encode(), deadline_ms))

    def wait_for_results(self, request_ids, timeout_s, runtime_alive=lambda: True):
        """True once every id got a /response or /error post. Gives up (False) at the timeout,
        on an init error, or as soon as runtime_alive() says the runtime process is gone."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not set(request_ids) <= self.results.keys():
                left = deadline - time.monotonic()
                if left <= 0 or self.init_errors or not runtime_alive():
                    return False
                self._done.wait(min(left, 0.1))
            return True

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real endpoint offers

            def log_message(self, *args):  # keep the test output to the runtime's own logs
                pass

            def _reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the test stops the runtime as soon as it has posted its last result

            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                with fake._lock:
                    fake.next_requests += 1
                while True:
                    try:
                        request_id, body, deadline_ms = fake._events.get(timeout=0.2)
                        break
                    except queue.Empty:
                        if fake._closing.is_set():
                            return
                self._reply(
                    200,
                    body,
                    [
                        ("Content-Type", "application/json"),
                        ("Lambda-Runtime-Aws-Request-Id", request_id),
                        ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:imgpipe",
                        ),
                        ("Lambda-Runtime-Trace-Id",
                         "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
                    ],
                )

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                parts = self.path[len(PREFIX) :].strip("/").split("/")
                with fake._lock:
                    if parts == ["init", "error"]:
                        fake.init_errors.append(body)
                    elif (len(parts) == 3 and parts[0] == "invocation"
                          and parts[2] in ("response", "error")):
                        fake.results[parts[1]] = (parts[2], body, dict(self.headers))
                    else:
                        self._reply(404, b'{"errorType":"NotFound"}')
                        return
                    fake._done.notify_all()
                self._reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])

        return Handler
