"""The loopback server every vendor fake runs in, and the control API tests drive it with.

Vendor modules define `class Vendor(VendorApp)` with `handle(request) -> Response`. Everything under `/_fake/` is the
control API (never part of a vendor's surface):

  GET  /_fake/requests                 every vendor request received: method, path, query, headers, body, problems
  POST /_fake/reset                    forget state, requests, faults and events
  POST /_fake/config                   {"webhook_url": ..., "auto_deliver": true|false} (auto_deliver defaults to true)
  POST /_fake/faults                   {"match": "POST /v1/payment_intents", "kind": ..., "times": 1, ...}
       kinds: "status" (respond `status`, default 503, before handling), "rate_limit" (429 + Retry-After:
       `retry_after`, default 1), "drop_after_success" (handle, commit, then close the connection unanswered),
       "delay_after_success" (handle, commit, then answer after `seconds`), "decline" (the vendor answers with its
       own decline for this request)
  GET  /_fake/events                   the webhook events generated so far, oldest first
  POST /_fake/events/deliver           {"ids": [...] (default all), "reverse": false, "times": 1}: (re)deliver now
  GET  /_fake/state                    the vendor's objects, for assertions

Requests that the vendor's published spec (or, without one, its documented wire rules) would refuse are answered
the way the vendor answers them and recorded with their problems, so tests can assert that none happened.
"""
import json
import socket
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query          # list of (name, value)
        self.headers = headers      # case-insensitive access through header()
        self.body = body            # bytes
        self.decline = False        # set by a "decline" fault
        self.problems = []

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        return json.loads(self.body) if self.body else None

    def query_value(self, name, default=None):
        for key, value in self.query:
            if key == name:
                return value
        return default


class Response:
    def __init__(self, status=200, body=b"", headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if content_type and body:
            self.headers.setdefault("Content-Type", content_type)


class Event:
    def __init__(self, event_id, body, headers):
        self.id = event_id
        self.body = body            # bytes exactly as signed
        self.headers = headers      # the signature headers
        self.deliveries = []        # HTTP statuses of each delivery attempt


class VendorApp:
    """Base for a vendor fake. Subclasses set `name`, implement `handle`, and sign events in `signed_event`."""
    name = "vendor"

    def __init__(self, fake, options):
        self.fake = fake
        self.options = options      # --option key=value pairs from the command line
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        """Forget every object."""

    def handle(self, request):
        raise NotImplementedError

    def error_response(self, status, message):
        """How this vendor answers a status fault or an unhandled failure."""
        return Response(status, {"error": {"message": message}})

    def rate_limited_response(self, retry_after):
        return Response(429, {"error": {"message": "Too many requests"}}, {"Retry-After": str(retry_after)})

    def signed_event(self, event_id, payload, url):
        """(body bytes, headers) as the vendor would deliver `payload` to `url`."""
        raise NotImplementedError

    def state(self):
        return {}

    def emit(self, event_id, payload):
        """Queue a webhook event (delivered after the current response when auto delivery is on)."""
        self.fake.queue_event(event_id, payload)


class Fake:
    def __init__(self, vendor_cls, options):
        self.lock = threading.RLock()
        self.requests = []
        self.faults = []
        self.events = []
        self.pending_delivery = []
        self.webhook_url = None
        self.auto_deliver = True
        self.vendor = vendor_cls(self, options)

    # --- control API -------------------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.events.clear()
            self.pending_delivery.clear()
        with self.vendor.lock:
            self.vendor.reset()

    def control(self, method, path, body):
        payload = json.loads(body) if body else {}
        if method == "GET" and path == "/_fake/requests":
            with self.lock:
                return Response(200, [r for r in self.requests])
        if method == "POST" and path == "/_fake/reset":
            self.reset()
            return Response(204)
        if method == "POST" and path == "/_fake/config":
            with self.lock:
                if "webhook_url" in payload:
                    self.webhook_url = payload["webhook_url"]
                if "auto_deliver" in payload:
                    self.auto_deliver = bool(payload["auto_deliver"])
            return Response(204)
        if method == "POST" and path == "/_fake/faults":
            fault = dict(payload)
            fault.setdefault("times", 1)
            if fault.get("kind") not in ("status", "rate_limit", "drop_after_success", "delay_after_success", "decline"):
                return Response(400, {"error": "unknown fault kind %r" % fault.get("kind")})
            with self.lock:
                self.faults.append(fault)
            return Response(204)
        if method == "GET" and path == "/_fake/events":
            with self.lock:
                return Response(200, [{"id": e.id, "body": e.body.decode(), "headers": e.headers,
                                       "deliveries": e.deliveries} for e in self.events])
        if method == "POST" and path == "/_fake/events/deliver":
            with self.lock:
                chosen = [e for e in self.events if "ids" not in payload or e.id in payload["ids"]]
            if payload.get("reverse"):
                chosen.reverse()
            statuses = []
            for _ in range(int(payload.get("times", 1))):
                for event in chosen:
                    statuses.append(self.deliver(event))
            return Response(200, {"statuses": statuses})
        if method == "GET" and path == "/_fake/state":
            with self.vendor.lock:
                return Response(200, self.vendor.state())
        return Response(404, {"error": "no control route %s %s" % (method, path)})

    # --- faults ------------------------------------------------------------------------------------------------
    def take_fault(self, request):
        with self.lock:
            for fault in self.faults:
                match = fault.get("match")
                if match:
                    method, _, prefix = match.partition(" ")
                    if method != request.method or not request.path.startswith(prefix):
                        continue
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # --- webhooks ----------------------------------------------------------------------------------------------
    def queue_event(self, event_id, payload):
        with self.lock:
            url = self.webhook_url
        body, headers = self.vendor.signed_event(event_id, payload, url)
        event = Event(event_id, body, headers)
        with self.lock:
            self.events.append(event)
            if self.auto_deliver and url:
                self.pending_delivery.append(event)

    def deliver(self, event):
        with self.lock:
            url = self.webhook_url
        if not url:
            return None
        request = urllib.request.Request(url, data=event.body, method="POST",
                                         headers=dict(event.headers, **{"Content-Type": event.headers.get(
                                             "Content-Type", "application/json")}))
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except Exception:
            status = 0
        with self.lock:
            event.deliveries.append(status)
        return status

    def flush_deliveries(self):
        with self.lock:
            pending, self.pending_delivery = self.pending_delivery, []
        for event in pending:
            self.deliver(event)


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, delayed ACKs add 40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def _serve(self):
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if split.path.startswith("/_fake/"):
                self._send(fake.control(self.command, split.path, body))
                return
            request = Request(self.command, split.path, parse_qsl(split.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, body)
            record = {"method": request.method, "path": request.path, "query": request.query,
                      "headers": request.headers, "body": body.decode("utf-8", "replace"), "problems": request.problems}
            with fake.lock:
                fake.requests.append(record)
            fault = fake.take_fault(request)
            kind = fault and fault["kind"]
            if kind == "status":
                self._send(fake.vendor.error_response(int(fault.get("status", 503)), "injected failure"))
                return
            if kind == "rate_limit":
                self._send(fake.vendor.rate_limited_response(int(fault.get("retry_after", 1))))
                return
            request.decline = kind == "decline"
            try:
                with fake.vendor.lock:
                    response = fake.vendor.handle(request)
            except Exception:
                traceback.print_exc()
                response = fake.vendor.error_response(500, "fake failure")
            if kind == "drop_after_success":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                fake.flush_deliveries()
                return
            if kind == "delay_after_success":
                time.sleep(float(fault.get("seconds", 5)))
            self._send(response)
            fake.flush_deliveries()

        def _send(self, response):
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.body:
                self.wfile.write(response.body)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


def serve(vendor_cls, host, port, options):
    fake = Fake(vendor_cls, options)
    server = ThreadingHTTPServer((host, port), make_handler(fake))
    server.daemon_threads = True
    print("READY http://%s:%d" % server.server_address[:2], flush=True)
    server.serve_forever()
