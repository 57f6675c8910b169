"""PayPal REST fake: OAuth2 client credentials, Vault v3 (setup token -> payment token), Orders v2 with intent
CAPTURE paying with a vault id, Payments v2 captures and refunds, and signed webhooks.

Options: client_id, client_secret (required for every call), webhook_id (signed into webhooks), token_ttl (seconds an
access token lives, default 32400 like PayPal's).

Every request is validated against PayPal's published OpenAPI documents, routed by path prefix (/v2/checkout ->
checkout_orders_v2.json, /v2/payments -> payments_payment_v2.json, /v3/vault -> vault_payment_tokens_v3.json).
One documented divergence is whitelisted: the vault spec enumerates `payment_source.token.type` only as
BILLING_AGREEMENT, while the live API (and PayPal's docs) converts setup tokens with type SETUP_TOKEN. This fake
accepts SETUP_TOKEN for setup-token ids, as PayPal does; BILLING_AGREEMENT is accepted by the spec but names a
billing agreement, which this fake does not hold (404 as PayPal answers for an unknown id).

Idempotency: `PayPal-Request-Id` (1-108 chars; required on vault POSTs). The same id on the same operation with the
same body replays the stored answer; with a different body PayPal answers 422 PAYPAL_REQUEST_ID_PREVIOUSLY_USED.

Declines: a "decline" fault on an order create declines it - card vault ids give an order COMPLETED whose capture is
DECLINED (processor response 5400, as PayPal reports card declines), PayPal-wallet vault ids give 422
INSTRUMENT_DECLINED.

Webhooks are signed like PayPal's: SHA256withRSA over `transmission_id|time|webhook_id|crc32(body)`. At start-up
this fake makes (openssl) a root CA, an intermediate CA and a signing certificate for
messageverificationcerts.paypal.com issued by it, and serves the signing certificate followed by the intermediate
(as PayPal serves its chain) at /v1/notifications/certs/<id>. PAYPAL-CERT-URL names that path on this fake's own
address (the Host the adapter called it on), so a verifier configured with the fake as its base URL fetches it; the
root CA, the trust anchor a test configures, is in GET /_fake/state as `certificate_authority`. Option
cert_expired=1 makes webhooks name a certificate with the same key whose validity ended in 2020.
"""
import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
import uuid
import zlib
from urllib.parse import parse_qsl

from . import spec
from .server import Response, VendorApp

SPECS = {"/v2/checkout": "paypal/checkout_orders_v2.json", "/v2/payments": "paypal/payments_payment_v2.json",
         "/v3/vault": "paypal/vault_payment_tokens_v3.json"}
ZERO_DECIMAL = {"JPY", "HUF", "TWD"}
CERT_ID = "CERT-360caa42-fca2a594-fake0001"
EXPIRED_CERT_ID = "CERT-360caa42-fca2a594-fake0002"
CERT_PATH = "/v1/notifications/certs/"
# Until a request tells the fake its own address, webhooks name the certificate where PayPal's sandbox would.
SANDBOX_BASE = "https://api.sandbox.paypal.com"
CERT_CONFIG = """\
[ req ]
distinguished_name = subject
prompt = no
[ subject ]
CN = Tollgate fake PayPal
[ ca ]
default_ca = fake_ca
[ fake_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any_name ]
commonName = supplied
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:messageverificationcerts.paypal.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def paypal_id(length=17):
    alphabet = "ABCDEFGHJKLMNPRSTUVWXY0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def error(status, name, message, details=None):
    body = {"name": name, "message": message, "debug_id": secrets.token_hex(7)}
    if details:
        body["details"] = details
    body["links"] = [{"href": "https://developer.paypal.com/docs/api/orders/v2/#error-" + (
        details[0]["issue"] if details else name), "rel": "information_link", "method": "GET"}]
    return Response(status, body)


def unprocessable(issue, description, field=None):
    detail = {"issue": issue, "description": description}
    if field:
        detail.update({"field": field, "location": "body"})
    return error(422, "UNPROCESSABLE_ENTITY",
                 "The requested action could not be performed, semantically incorrect, or failed business validation.",
                 [detail])


def not_found(description="Specified resource ID does not exist. Please check the resource ID and try again."):
    return error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.",
                 [{"issue": "INVALID_RESOURCE_ID", "description": description}])


def to_units(value, currency):
    """Decimal string -> integer minor units, or None when PayPal would refuse the precision."""
    decimals = 0 if currency in ZERO_DECIMAL else 2
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?", value)
    if not match or (match.group(2) is not None and len(match.group(2)) > decimals):
        return None
    return int(match.group(1) + (match.group(2) or "").ljust(decimals, "0"))


def to_value(units, currency):
    if currency in ZERO_DECIMAL:
        return str(units)
    return "%d.%02d" % divmod(units, 100)


class Vendor(VendorApp):
    name = "paypal"

    def __init__(self, fake, options):
        self.directory = tempfile.mkdtemp(prefix="paypal-fake-")
        self.key_path = os.path.join(self.directory, "key.pem")
        self.make_certificates()
        self.public_base = SANDBOX_BASE
        super().__init__(fake, options)

    def openssl(self, *arguments):
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=self.directory)

    def read(self, name):
        with open(os.path.join(self.directory, name), "rb") as f:
            return f.read()

    def make_certificates(self):
        """Root CA -> intermediate CA -> signing certificate (and an expired twin with the same key)."""
        for name, text in (("fake.cnf", CERT_CONFIG), ("index.txt", ""), ("serial", "1000\n")):
            with open(os.path.join(self.directory, name), "w") as f:
                f.write(text)
        config = ["-config", "fake.cnf"]
        self.openssl("req", "-x509", *config, "-extensions", "root_ext", "-newkey", "rsa:2048", "-nodes",
                     "-keyout", "root.key", "-out", "root.pem", "-days", "3650",
                     "-subj", "/CN=Tollgate Fake PayPal Root CA")
        self.openssl("req", "-new", *config, "-newkey", "rsa:2048", "-nodes", "-keyout", "intermediate.key",
                     "-out", "intermediate.csr", "-subj", "/CN=Tollgate Fake PayPal Intermediate CA")
        self.openssl("ca", "-batch", *config, "-cert", "root.pem", "-keyfile", "root.key", "-in", "intermediate.csr",
                     "-out", "intermediate.pem", "-days", "1825", "-extensions", "intermediate_ext", "-notext")
        self.openssl("req", "-new", *config, "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "leaf.csr",
                     "-subj", "/CN=messageverificationcerts.paypal.com")
        signing = ["ca", "-batch", *config, "-cert", "intermediate.pem", "-keyfile", "intermediate.key",
                   "-in", "leaf.csr", "-extensions", "leaf_ext", "-notext"]
        self.openssl(*signing, "-out", "leaf.pem", "-days", "30")
        self.openssl(*signing, "-out", "expired.pem", "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")
        self.root_pem = self.read("root.pem")
        intermediate = self.read("intermediate.pem")
        self.cert_documents = {CERT_ID: self.read("leaf.pem") + intermediate,
                               EXPIRED_CERT_ID: self.read("expired.pem") + intermediate}

    def reset(self):
        self.tokens = {}            # access token -> expiry (epoch seconds)
        self.setup_tokens = {}
        self.payment_tokens = {}
        self.orders = {}
        self.captures = {}
        self.refunds = {}
        self.replays = {}           # (method, path, PayPal-Request-Id) -> (body digest, Response)

    # --- framework hooks ---------------------------------------------------------------------------------------
    def error_response(self, status, message):
        names = {400: "INVALID_REQUEST", 401: "AUTHENTICATION_FAILURE", 403: "NOT_AUTHORIZED",
                 404: "RESOURCE_NOT_FOUND", 422: "UNPROCESSABLE_ENTITY", 503: "SERVICE_UNAVAILABLE"}
        return error(status, names.get(status, "INTERNAL_SERVER_ERROR"),
                     "An internal server error has occurred." if status >= 500 else message)

    def rate_limited_response(self, retry_after):
        response = error(429, "RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting.")
        response.headers["Retry-After"] = str(retry_after)
        return response

    def signed_event(self, event_id, payload, url):
        body = json.dumps(payload).encode()
        transmission_id = str(uuid.uuid1())
        transmission_time = now_text()
        webhook_id = self.options.get("webhook_id", "")
        message = "%s|%s|%s|%d" % (transmission_id, transmission_time, webhook_id, zlib.crc32(body) & 0xFFFFFFFF)
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key_path], input=message.encode(),
                                   check=True, capture_output=True).stdout
        cert_id = EXPIRED_CERT_ID if self.options.get("cert_expired") in ("1", "true") else CERT_ID
        return body, {"Content-Type": "application/json", "PAYPAL-TRANSMISSION-ID": transmission_id,
                      "PAYPAL-TRANSMISSION-TIME": transmission_time,
                      "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
                      "PAYPAL-CERT-URL": self.public_base + CERT_PATH + cert_id, "PAYPAL-AUTH-ALGO": "SHA256withRSA"}

    def state(self):
        return {"setup_tokens": list(self.setup_tokens.values()), "payment_tokens": list(self.payment_tokens.values()),
                "orders": list(self.orders.values()), "captures": list(self.captures.values()),
                "refunds": list(self.refunds.values()), "access_tokens_issued": len(self.tokens),
                "certificate_authority": self.root_pem.decode()}

    # --- routing -----------------------------------------------------------------------------------------------
    def handle(self, request):
        host = request.header("host")
        if host and re.fullmatch(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?", host):
            self.public_base = "http://" + host
        if request.method == "POST" and request.path == "/v1/oauth2/token":
            return self.oauth_token(request)
        if request.method == "GET" and request.path.startswith(CERT_PATH):
            document = self.cert_documents.get(request.path[len(CERT_PATH):])
            if document is None:
                return not_found()
            return Response(200, document, content_type="application/x-pem-file")
        if request.method == "GET" and request.path.startswith("/fake-approve/"):
            # The buyer's approval step of a PayPal-wallet setup token (a PayPal web page in reality).
            token = self.setup_tokens.get(request.path.rsplit("/", 1)[1])
            if token is None:
                return not_found()
            token["status"] = "APPROVED"
            return Response(200, {"approved": token["id"]})

        prefix = next((p for p in SPECS if request.path.startswith(p + "/") or request.path == p), None)
        if prefix is None:
            request.problems.append("no such PayPal path %s" % request.path)
            return not_found("The requested resource does not exist.")
        auth = self.check_bearer(request)
        if auth is not None:
            return auth

        problems = spec.load(SPECS[prefix]).validate(request.method, request.path, request.query,
                                                     request.header("content-type"), request.body)
        # PayPal's live vault converts setup tokens with type SETUP_TOKEN, which the spec's enum omits.
        problems = [p for p in problems if not (
            p.startswith("payment_source/token/type: 'SETUP_TOKEN' is not one of") and request.path.startswith("/v3/vault/"))]
        request_id = request.header("paypal-request-id")
        if request.method == "POST" and prefix == "/v3/vault" and not request_id:
            problems.append("PayPal-Request-Id is required on vault POSTs")
        if request_id is not None and not 1 <= len(request_id) <= 108:
            problems.append("PayPal-Request-Id must be 1-108 characters")
        if problems:
            request.problems.extend(problems)
            return error(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.",
                         [{"field": p.split(":")[0], "location": "body", "issue": "INVALID_PARAMETER_SYNTAX",
                           "description": p} for p in problems])

        if request.method == "POST" and request_id:
            # JSON member order carries no meaning; the same request is the same JSON value.
            digest = hashlib.sha256(json.dumps(request.json(), sort_keys=True).encode()).hexdigest()
            stored = self.replays.get((request.method, request.path, request_id))
            if stored is not None:
                if stored[0] != digest:
                    return unprocessable("PAYPAL_REQUEST_ID_PREVIOUSLY_USED",
                                         "The PayPal-Request-Id has already been used for another request.")
                return stored[1]
            response = self.route(request)
            if response.status < 500:
                self.replays[(request.method, request.path, request_id)] = (digest, response)
            return response
        return self.route(request)

    def route(self, request):
        path, method = request.path, request.method
        body = request.json() or {}
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v3/vault/setup-tokens":
            return self.create_setup_token(body)
        if method == "GET" and len(parts) == 4 and path.startswith("/v3/vault/setup-tokens/"):
            token = self.setup_tokens.get(parts[3])
            return Response(200, token) if token else not_found()
        if method == "POST" and path == "/v3/vault/payment-tokens":
            return self.create_payment_token(body)
        if method == "GET" and path == "/v3/vault/payment-tokens":
            customer = request.query_value("customer_id")
            found = [t for t in self.payment_tokens.values() if t["customer"]["id"] == customer]
            return Response(200, {"customer": {"id": customer}, "payment_tokens": found, "total_items": len(found),
                                  "total_pages": 1, "links": []})
        if len(parts) == 4 and path.startswith("/v3/vault/payment-tokens/"):
            token = self.payment_tokens.get(parts[3])
            if token is None:
                return not_found()
            if method == "DELETE":
                del self.payment_tokens[parts[3]]
                return Response(204)
            return Response(200, token)
        if method == "POST" and path == "/v2/checkout/orders":
            return self.create_order(request, body)
        if len(parts) >= 4 and parts[:3] == ["v2", "checkout", "orders"]:
            order = self.orders.get(parts[3])
            if order is None:
                return not_found()
            if method == "GET" and len(parts) == 4:
                return Response(200, self.order_view(order))
            if method == "POST" and parts[4:] == ["capture"]:
                if order["status"] == "COMPLETED":
                    return unprocessable("ORDER_ALREADY_CAPTURED", "Order already captured.")
                return unprocessable("ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
        if len(parts) >= 4 and parts[:3] == ["v2", "payments", "captures"]:
            capture = self.captures.get(parts[3])
            if capture is None:
                return not_found()
            if method == "GET" and len(parts) == 4:
                return Response(200, capture)
            if method == "POST" and parts[4:] == ["refund"]:
                return self.refund(capture, body)
        if method == "GET" and len(parts) == 4 and parts[:3] == ["v2", "payments", "refunds"]:
            refund = self.refunds.get(parts[3])
            return Response(200, refund) if refund else not_found()
        return not_found("The requested resource does not exist.")

    # --- auth --------------------------------------------------------------------------------------------------
    def oauth_token(self, request):
        expected = base64.b64encode(("%s:%s" % (self.options.get("client_id", ""),
                                                self.options.get("client_secret", ""))).encode()).decode()
        if (request.header("authorization") or "") != "Basic " + expected:
            request.problems.append("OAuth client credentials missing or wrong")
            return Response(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
        media = (request.header("content-type") or "").split(";")[0].strip()
        form = dict(parse_qsl(request.body.decode()))
        if media != "application/x-www-form-urlencoded" or form.get("grant_type") != "client_credentials":
            request.problems.append("token request must be a form with grant_type=client_credentials")
            return Response(400, {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
        ttl = int(self.options.get("token_ttl", "32400"))
        token = "A21AA" + secrets.token_urlsafe(40)
        self.tokens[token] = time.time() + ttl
        return Response(200, {"scope": "https://uri.paypal.com/services/vault/payment-tokens/readwrite",
                              "access_token": token, "token_type": "Bearer", "app_id": "APP-80W284485P519543T",
                              "expires_in": ttl, "nonce": now_text() + secrets.token_hex(8)})

    def check_bearer(self, request):
        header = request.header("authorization") or ""
        token = header[len("Bearer "):] if header.startswith("Bearer ") else None
        if token is None or self.tokens.get(token, 0) <= time.time():
            request.problems.append("missing, unknown or expired access token")
            return error(401, "AUTHENTICATION_FAILURE",
                         "Authentication failed due to invalid authentication credentials or a missing Authorization header.")
        return None

    # --- vault -------------------------------------------------------------------------------------------------
    def create_setup_token(self, body):
        source = body.get("payment_source", {})
        customer = (body.get("customer") or {}).get("id") or paypal_id(10)
        token = {"id": paypal_id(), "customer": {"id": customer}, "status": "APPROVED", "payment_source": {}, "links": []}
        if "card" in source:
            card = source["card"]
            number = card.get("number", "")
            token["payment_source"]["card"] = {"last_digits": number[-4:], "brand": self.brand(number),
                                               "expiry": card.get("expiry")}
        elif "paypal" in source:
            token["status"] = "PAYER_ACTION_REQUIRED"
            token["payment_source"]["paypal"] = {"email_address": "buyer@example.com"}
            token["links"].append({"href": "/fake-approve/" + token["id"], "rel": "approve", "method": "GET"})
        else:
            return unprocessable("UNSUPPORTED_PAYMENT_SOURCE", "This fake vaults cards and PayPal wallets.")
        self.setup_tokens[token["id"]] = token
        return Response(200, token)

    @staticmethod
    def brand(number):
        return {"4": "VISA", "5": "MASTERCARD", "3": "AMEX"}.get(number[:1], "UNKNOWN")

    def create_payment_token(self, body):
        source = body["payment_source"].get("token")
        if source is None:
            return unprocessable("UNSUPPORTED_PAYMENT_SOURCE", "Vault a setup token.")
        setup = self.setup_tokens.get(source["id"]) if source["type"] == "SETUP_TOKEN" else None
        if setup is None:
            return not_found()
        if setup["status"] != "APPROVED":
            return unprocessable("SETUP_TOKEN_NOT_APPROVED", "The setup token has not been approved by the payer.")
        customer = (body.get("customer") or {}).get("id") or setup["customer"]["id"]
        token = {"id": paypal_id(8).lower(), "customer": {"id": customer},
                 "payment_source": setup["payment_source"], "status": "ACTIVE"}
        token["links"] = [{"rel": "self", "href": "/v3/vault/payment-tokens/" + token["id"], "method": "GET"}]
        setup["status"] = "VAULTED"
        self.payment_tokens[token["id"]] = token
        return Response(201, token)

    # --- orders and captures -----------------------------------------------------------------------------------
    def create_order(self, request, body):
        if body["intent"] != "CAPTURE":
            return unprocessable("UNSUPPORTED_INTENT", "This fake captures orders immediately (intent CAPTURE).",
                                 "/intent")
        units = []
        for i, unit in enumerate(body["purchase_units"]):
            amount = unit["amount"]
            value = to_units(amount["value"], amount["currency_code"])
            if value is None:
                return unprocessable("DECIMAL_PRECISION", "If the currency supports decimals, only two decimal "
                                     "place precision is supported.", "/purchase_units/%d/amount/value" % i)
            units.append((unit, value))
        order = {"id": paypal_id(), "intent": "CAPTURE", "status": "CREATED", "create_time": now_text(),
                 "purchase_units": [{k: v for k, v in unit.items()} for unit, _ in units]}
        source = body.get("payment_source") or {}
        vaulted = next(((kind, source[kind]["vault_id"]) for kind in ("card", "paypal")
                        if isinstance(source.get(kind), dict) and "vault_id" in source[kind]), None)
        if vaulted is None:
            order["links"] = [{"href": "/fake-approve/" + order["id"], "rel": "approve", "method": "GET"}]
            self.orders[order["id"]] = order
            return Response(201, self.order_view(order))
        kind, vault_id = vaulted
        token = self.payment_tokens.get(vault_id)
        if token is None or kind not in token["payment_source"]:
            return unprocessable("INVALID_PAYMENT_SOURCE", "The vault_id is not a saved %s payment source." % kind,
                                 "/payment_source/%s/vault_id" % kind)
        if request.decline and kind == "paypal":
            return unprocessable("INSTRUMENT_DECLINED", "The instrument presented was either declined by the "
                                 "processor or bank, or it can't be used for this payment.")
        order["payment_source"] = {kind: dict(token["payment_source"][kind], vault_id=vault_id)}
        order["status"] = "COMPLETED"
        for (unit, value), view in zip(units, order["purchase_units"]):
            capture = {"id": paypal_id(), "status": "DECLINED" if request.decline else "COMPLETED",
                       "amount": dict(unit["amount"]), "final_capture": True, "create_time": now_text(),
                       "update_time": now_text(), "supplementary_data": {"related_ids": {"order_id": order["id"]}},
                       "refunded_units": 0, "units": value}
            for field in ("custom_id", "invoice_id"):
                if field in unit:
                    capture[field] = unit[field]
            if request.decline:
                capture["processor_response"] = {"avs_code": "G", "cvv_code": "P", "response_code": "5400"}
            capture["links"] = [{"href": "/v2/payments/captures/" + capture["id"], "rel": "self", "method": "GET"}]
            self.captures[capture["id"]] = capture
            view["payments"] = {"captures": [capture["id"]]}
            self.emit_capture(capture)
        self.orders[order["id"]] = order
        return Response(201, self.order_view(order))

    def public_capture(self, capture):
        return {k: v for k, v in capture.items() if k not in ("units", "refunded_units")}

    def order_view(self, order):
        view = dict(order)
        view["purchase_units"] = []
        for unit in order["purchase_units"]:
            unit = dict(unit)
            if "payments" in unit:
                unit["payments"] = {"captures": [self.public_capture(self.captures[c])
                                                 for c in unit["payments"]["captures"]]}
            view["purchase_units"].append(unit)
        view.setdefault("links", [])
        return view

    def emit_capture(self, capture):
        kind = "PAYMENT.CAPTURE.COMPLETED" if capture["status"] == "COMPLETED" else "PAYMENT.CAPTURE.DECLINED"
        self.emit_resource(kind, "capture", self.public_capture(capture))

    def emit_resource(self, event_type, resource_type, resource):
        event_id = "WH-" + paypal_id(17)
        self.emit(event_id, {"id": event_id, "event_version": "1.0", "create_time": now_text(),
                             "resource_type": resource_type, "resource_version": "2.0", "event_type": event_type,
                             "summary": event_type.lower().replace(".", " "), "resource": resource, "links": []})

    def refund(self, capture, body):
        if capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
            issue = "CAPTURE_FULLY_REFUNDED" if capture["status"] == "REFUNDED" else "INVALID_RESOURCE_STATE"
            return unprocessable(issue, "The capture cannot be refunded in status %s." % capture["status"])
        currency = capture["amount"]["currency_code"]
        remaining = capture["units"] - capture["refunded_units"]
        if "amount" in body:
            if body["amount"]["currency_code"] != currency:
                return unprocessable("REFUND_CURRENCY_MISMATCH", "Refund must be in the capture's currency.",
                                     "/amount/currency_code")
            units = to_units(body["amount"]["value"], currency)
            if units is None or units <= 0:
                return unprocessable("DECIMAL_PRECISION", "The refund amount has the wrong precision.", "/amount/value")
        else:
            units = remaining
        if units > remaining:
            return unprocessable("REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the "
                                 "capture amount that has not yet been refunded.")
        capture["refunded_units"] += units
        capture["status"] = "REFUNDED" if capture["refunded_units"] == capture["units"] else "PARTIALLY_REFUNDED"
        refund = {"id": paypal_id(), "status": "COMPLETED", "amount": {"currency_code": currency,
                                                                       "value": to_value(units, currency)},
                  "create_time": now_text(), "update_time": now_text(),
                  "links": [{"href": "/v2/payments/refunds/%s" % "", "rel": "self", "method": "GET"},
                            {"href": "/v2/payments/captures/" + capture["id"], "rel": "up", "method": "GET"}]}
        refund["links"][0]["href"] += refund["id"]
        for field in ("custom_id", "invoice_id", "note_to_payer"):
            if field in body:
                refund[field] = body[field]
        self.refunds[refund["id"]] = refund
        self.emit_resource("PAYMENT.CAPTURE.REFUNDED", "refund", refund)
        return Response(201, refund)
