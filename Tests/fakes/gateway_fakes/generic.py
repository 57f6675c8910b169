"""Tollgate's generic payment gateway contract (docs/generic-gateway.openapi.json), as a backend would implement it.

Options: api_key (required, Bearer), webhook_secret (whsec_<base64>, Standard Webhooks), currency (the balance
currency of a customer without charges, default USD).
Every request is validated against the contract. Idempotency follows the IETF httpapi draft as the contract words it:
the first answer is stored and replayed (201 → 200), a different payload under the same key gets 422
`idempotency_key_reused`, a missing key on a POST 400. Test tokens: tok_visa, tok_mastercard, tok_declined,
tok_insufficient_funds, tok_expired. Charges and refunds store the request's `reference` and echo it in the object and
in their webhook events; every event is checked against the contract's Event schema before it is signed. A
customer's balance is what the backend holds for it, as the contract's Balance schema defines: over the customer's
succeeded charges in the currency of the most recent one (else the `currency` option), amount less refunded.
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from datetime import datetime, timezone

from . import spec
from .server import Response, VendorApp

CONTRACT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs",
                        "generic-gateway.openapi.json")

TOKENS = {  # token → (display, decline code or None, expired)
    "tok_visa": ("visa •••• 4242", None, False),
    "tok_mastercard": ("mastercard •••• 4444", None, False),
    "tok_declined": ("visa •••• 0002", "generic_decline", False),
    "tok_insufficient_funds": ("visa •••• 9995", "insufficient_funds", False),
    "tok_expired": ("visa •••• 0069", None, True),
}
DECLINE_MESSAGES = {"generic_decline": "The card was declined.", "insufficient_funds": "The card has insufficient funds.",
                    "expired_card": "The card has expired."}
CODES_BY_STATUS = {400: "invalid_request", 401: "authentication_failed", 403: "permission_denied", 404: "not_found",
                   409: "request_in_progress", 422: "invalid_request", 429: "rate_limited"}
TITLES = {"invalid_request": "Invalid request", "authentication_failed": "Authentication failed",
          "permission_denied": "Permission denied", "not_found": "Not found", "card_declined": "Card declined",
          "idempotency_key_reused": "Idempotency key reused", "request_in_progress": "Request in progress",
          "rate_limited": "Too many requests", "unavailable": "Service unavailable"}


def new_id(prefix):
    return prefix + "_" + secrets.token_hex(12)


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def problem(status, code, detail, field=None, headers=None, **extra):
    body = {"type": "https://payments.example.com/problems/" + code.replace("_", "-"), "title": TITLES[code],
            "status": status, "detail": detail, "code": code}
    if field:
        body["field"] = field
    body.update(extra)
    return Response(status, body, headers, content_type="application/problem+json")


def money(amount_minor, currency):
    return {"amount_minor": amount_minor, "currency": currency}


class Vendor(VendorApp):
    name = "generic"

    def reset(self):
        self.customers = {}
        self.methods = {}
        self.charges = {}
        self.refunds = {}
        self.idempotency = {}       # key → (fingerprint, Response)

    def error_response(self, status, message):
        return problem(status, CODES_BY_STATUS.get(status, "unavailable" if status >= 500 else "invalid_request"), message)

    def rate_limited_response(self, retry_after):
        return problem(429, "rate_limited", "Slow down.", headers={"Retry-After": str(retry_after)})

    # --- webhooks (Standard Webhooks) --------------------------------------------------------------------------
    def signed_event(self, event_id, payload, url):
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "webhook-id": event_id, "webhook-timestamp": timestamp}
        secret = self.options.get("webhook_secret")
        if secret:
            key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
            signature = hmac.new(key, ("%s.%s." % (event_id, timestamp)).encode() + body, hashlib.sha256).digest()
            headers["webhook-signature"] = "v1," + base64.b64encode(signature).decode()
        return body, headers

    def event(self, type_, data):
        payload = {"type": type_, "timestamp": now_rfc3339(), "data": data}
        contract = spec.load(CONTRACT)
        problems = contract.schema_errors({"$ref": "#/components/schemas/Event"}, payload)
        if problems:  # a bug in this fake, not in the client: fail loudly (the request gets a 500)
            raise AssertionError("the fake built an event the contract refuses: %s" % "; ".join(problems))
        self.emit(new_id("msg"), payload)

    def state(self):
        return {"customers": list(self.customers.values()), "payment_methods": list(self.methods.values()),
                "charges": list(self.charges.values()), "refunds": list(self.refunds.values())}

    # --- front door --------------------------------------------------------------------------------------------
    def handle(self, request):
        expected = self.options.get("api_key")
        header = request.header("authorization", "")
        if not expected or not header.startswith("Bearer ") or not hmac.compare_digest(header[7:], expected):
            request.problems.append("authentication failed")
            return problem(401, "authentication_failed", "Missing or wrong API key.")
        content_type = request.header("content-type")
        problems = spec.load(CONTRACT).validate(request.method, request.path, request.query, content_type, request.body)
        if problems:
            request.problems.extend(problems)
            if problems[0].startswith("no operation"):
                return problem(404, "not_found", "No route %s %s." % (request.method, request.path))
            status = 400 if any(p.startswith(("body is not JSON", "content type", "a body is required"))
                                for p in problems) else 422
            field = problems[0].split(":", 1)[0] if status == 422 else None
            return problem(status, "invalid_request", "; ".join(problems), field)
        body = request.json() if request.body else None
        if request.method != "POST":
            return self.route(request, body)

        key = request.header("idempotency-key")
        if not key or len(key) > 255:
            request.problems.append("Idempotency-Key is required on every POST (1-255 characters)")
            return problem(400, "invalid_request", "An Idempotency-Key header of 1-255 characters is required.",
                           "Idempotency-Key")
        fingerprint = (request.method, request.path, json.dumps(body, sort_keys=True))
        stored = self.idempotency.get(key)
        if stored:
            if stored[0] != fingerprint:
                return problem(422, "idempotency_key_reused",
                               "This Idempotency-Key was used with a different request payload.", "Idempotency-Key")
            replay = stored[1]
            return Response(200 if replay.status == 201 else replay.status, replay.body,
                            dict(replay.headers, **{"Idempotent-Replayed": "true"}), content_type=None)
        response = self.route(request, body)
        self.idempotency[key] = (fingerprint, response)
        return response

    def route(self, request, body):
        method, parts = request.method, request.path.strip("/").split("/")
        if parts == ["v1", "customers"] and method == "POST":
            return self.create_customer(body)
        if parts[:2] == ["v1", "customers"] and len(parts) == 4:
            if parts[3] == "payment_methods" and method == "POST":
                return self.attach(parts[2], body)
            if parts[3] == "balance" and method == "GET":
                return self.balance(parts[2])
        if parts[:2] == ["v1", "payment_methods"] and len(parts) == 3 and method == "GET":
            return self.found(self.methods, parts[2], "payment method")
        if parts == ["v1", "charges"] and method == "POST":
            return self.create_charge(request, body)
        if parts[:2] == ["v1", "charges"] and len(parts) == 3 and method == "GET":
            return self.found(self.charges, parts[2], "charge")
        if parts[:2] == ["v1", "charges"] and len(parts) == 4 and parts[3] == "refunds" and method == "POST":
            return self.create_refund(parts[2], body)
        if parts[:2] == ["v1", "refunds"] and len(parts) == 3 and method == "GET":
            return self.found(self.refunds, parts[2], "refund")
        return problem(404, "not_found", "No route %s %s." % (method, request.path))

    @staticmethod
    def found(table, ident, kind):
        obj = table.get(ident)
        if obj is None:
            return problem(404, "not_found", "No such %s." % kind)
        return Response(200, {k: v for k, v in obj.items() if not k.startswith("_")})

    @staticmethod
    def public(obj, status=201):
        return Response(status, {k: v for k, v in obj.items() if not k.startswith("_")})

    # --- customers and payment methods -------------------------------------------------------------------------
    def create_customer(self, body):
        customer = {"id": new_id("cus"), "email": body["email"], "metadata": body.get("metadata", {}),
                    "created_at": now_rfc3339()}
        if "name" in body:
            customer["name"] = body["name"]
        self.customers[customer["id"]] = customer
        return self.public(customer)

    def attach(self, customer_id, body):
        if customer_id not in self.customers:
            return problem(404, "not_found", "No such customer.")
        token = body["token"]
        if token not in TOKENS:
            return problem(422, "invalid_request", "The token is not one this backend issued.", "token")
        display, decline, expired = TOKENS[token]
        year = time.gmtime().tm_year + (-1 if expired else 3)
        method = {"id": new_id("pm"), "customer_id": customer_id, "status": "expired" if expired else "active",
                  "display": display, "expires": "%04d-12" % year, "_decline": decline}
        self.methods[method["id"]] = method
        return self.public(method)

    def balance(self, customer_id):
        if customer_id not in self.customers:
            return problem(404, "not_found", "No such customer.")
        mine = [c for c in self.charges.values() if c["_customer"] == customer_id and c["status"] == "succeeded"]
        currency = mine[-1]["amount"]["currency"] if mine else self.options.get("currency", "USD")
        held = sum(c["amount"]["amount_minor"] - c["refunded"]["amount_minor"] for c in mine
                   if c["amount"]["currency"] == currency)
        return Response(200, {"customer_id": customer_id, "available": money(held, currency)})

    # --- charges and refunds -----------------------------------------------------------------------------------
    def create_charge(self, request, body):
        customer_id, method_id, amount = body["customer_id"], body["payment_method_id"], body["amount"]
        if customer_id not in self.customers:
            return problem(404, "not_found", "No such customer.", "customer_id")
        method = self.methods.get(method_id)
        if method is None or method["customer_id"] != customer_id:
            return problem(422, "invalid_request", "The payment method does not belong to this customer.",
                           "payment_method_id")
        if amount["amount_minor"] <= 0:
            return problem(422, "invalid_request", "The amount must be positive.", "amount.amount_minor")
        charge = {"id": new_id("ch"), "status": "succeeded", "amount": amount, "reference": body["reference"],
                  "refunded": money(0, amount["currency"]), "created_at": now_rfc3339(), "_customer": customer_id,
                  "_method": method_id}
        if "description" in body:
            charge["_description"] = body["description"]
        decline = "expired_card" if method["status"] != "active" else method["_decline"]
        if request.decline and not decline:
            decline = "generic_decline"
        self.charges[charge["id"]] = charge
        if decline:
            charge.update(status="declined", decline_code=decline, failure_message=DECLINE_MESSAGES[decline])
            self.event("charge.failed", json.loads(self.public(charge).body))
            return problem(402, "card_declined", DECLINE_MESSAGES[decline], decline_code=decline)
        data = json.loads(self.public(charge).body)
        self.event("charge.succeeded", data)
        return Response(201, data)

    def create_refund(self, charge_id, body):
        charge = self.charges.get(charge_id)
        if charge is None:
            return problem(404, "not_found", "No such charge.")
        if charge["status"] != "succeeded":
            return problem(422, "invalid_request", "Only a succeeded charge can be refunded.")
        amount = body["amount"]
        if amount["currency"] != charge["amount"]["currency"]:
            return problem(422, "invalid_request", "A refund is in the charge's currency.", "amount.currency")
        remaining = charge["amount"]["amount_minor"] - charge["refunded"]["amount_minor"]
        if not 0 < amount["amount_minor"] <= remaining:
            return problem(422, "invalid_request",
                           "The refund must be positive and at most the %d not yet refunded." % remaining,
                           "amount.amount_minor")
        charge["refunded"] = money(charge["refunded"]["amount_minor"] + amount["amount_minor"], amount["currency"])
        refund = {"id": new_id("re"), "charge_id": charge_id, "status": "succeeded", "amount": amount,
                  "reference": body["reference"]}
        if "reason" in body:
            refund["_reason"] = body["reason"]
        self.refunds[refund["id"]] = refund
        data = json.loads(self.public(refund).body)
        self.event("refund.succeeded", data)
        return Response(201, data)
