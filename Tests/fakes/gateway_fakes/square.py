"""Square (gateways reference §4): customers, cards on file, payments and refunds, Square-Version 2025-08-20.

Options: access_token (Bearer), webhook_signature_key, webhook_notification_url (signed when no webhook URL is
configured through the control API), location_id (optional; when set, a payment naming another location is refused).

Every request is checked against specs/square/api.json plus the rules the spec leaves out: the Bearer token, the
pinned Square-Version, idempotency keys of at most 45 characters, a name/email/phone on customers, customer_id with a
card on file. Idempotency is a body field scoped per endpoint: the same key and body replay the first answer, the same
key with another body is IDEMPOTENCY_KEY_REUSED. Test nonces: any `cnon:…` vaults a Visa ••1111; `cnon:card-nonce-
declined` vaults a card whose payments are declined (GENERIC_DECLINE), as does a "decline" fault. Card refunds
complete at once here (the real API may answer PENDING first); over-refunds are REFUND_AMOUNT_INVALID.
"""
import base64
import datetime
import hashlib
import hmac
import itertools
import json

from . import spec
from .server import Response, VendorApp

SPEC = "square/api.json"
VERSION = "2025-08-20"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def error(status, category, code, detail, field=None, **extra):
    item = {"category": category, "code": code, "detail": detail}
    if field:
        item["field"] = field
    return Response(status, dict({"errors": [item]}, **extra))


def invalid(code, detail, field=None):
    return error(400, "INVALID_REQUEST_ERROR", code, detail, field)


def not_found(what, field=None):
    return error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "%s not found." % what, field)


class Vendor(VendorApp):
    name = "square"

    def reset(self):
        self.ids = itertools.count(1)
        self.customers = {}
        self.cards = {}
        self.payments = {}
        self.refunds = {}
        self.used_nonces = set()
        self.idempotency = {}       # (path, key) -> (body, Response)

    def new_id(self, prefix):
        return "%s%06dFAKE" % (prefix, next(self.ids))

    # --- the vendor's surface ------------------------------------------------------------------------------------
    def handle(self, request):
        token = self.options.get("access_token", "")
        if request.header("authorization") != "Bearer " + token or not token:
            request.problems.append("missing or wrong Bearer access token")
            return error(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized.")
        version = request.header("square-version")
        if version != VERSION:
            request.problems.append("Square-Version is %r, expected %r" % (version, VERSION))
            return invalid("INVALID_SQUARE_VERSION_FORMAT", "Square-Version must be %s." % VERSION)
        problems = spec.load(SPEC).validate(request.method, request.path, request.query,
                                            request.header("content-type"), request.body)
        body = request.json() if request.body else None
        if request.method == "POST" and isinstance(body, dict):
            key = body.get("idempotency_key")
            if isinstance(key, str) and len(key) > 45:
                problems.append("idempotency_key is longer than 45 characters")
        if problems:
            request.problems.extend(problems)
            return invalid("INVALID_VALUE", "; ".join(problems))

        if request.method == "POST" and body.get("idempotency_key"):
            scope = (request.path, body["idempotency_key"])
            if scope in self.idempotency:
                first_body, first_response = self.idempotency[scope]
                if first_body != body:
                    return invalid("IDEMPOTENCY_KEY_REUSED",
                                   "The idempotency key can only be retried with the same request data.",
                                   "idempotency_key")
                return first_response
            response = self.route(request, body)
            if response.status < 500:
                self.idempotency[scope] = (body, response)
            return response
        return self.route(request, body)

    def route(self, request, body):
        method, path = request.method, request.path
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v2/customers":
            return self.create_customer(body)
        if method == "POST" and path == "/v2/cards":
            return self.create_card(body)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v2", "cards"]:
            card = self.cards.get(parts[2])
            return Response(200, {"card": card}) if card else not_found("Card")
        if method == "POST" and path == "/v2/payments":
            return self.create_payment(request, body)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v2", "payments"]:
            payment = self.payments.get(parts[2])
            return Response(200, {"payment": payment}) if payment else not_found("Payment")
        if method == "POST" and path == "/v2/refunds":
            return self.refund_payment(body)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v2", "refunds"]:
            refund = self.refunds.get(parts[2])
            return Response(200, {"refund": refund}) if refund else not_found("Refund")
        request.problems.append("the fake does not serve %s %s" % (method, path))
        return not_found("Resource")

    def create_customer(self, body):
        if not any(body.get(k) for k in ("given_name", "family_name", "company_name", "email_address", "phone_number")):
            return invalid("MISSING_REQUIRED_PARAMETER",
                           "At least one of given_name, family_name, company_name, email_address or phone_number "
                           "is required.")
        customer_id = self.new_id("CUST")
        customer = {"id": customer_id, "created_at": now(), "updated_at": now(), "creation_source": "THIRD_PARTY",
                    "version": 0}
        for field in ("given_name", "family_name", "company_name", "email_address", "phone_number", "reference_id",
                      "note"):
            if field in body:
                customer[field] = body[field]
        self.customers[customer_id] = customer
        return Response(200, {"customer": customer})

    def create_card(self, body):
        source = body["source_id"]
        card_in = body.get("card") or {}
        customer_id = card_in.get("customer_id")
        if not customer_id:
            return invalid("MISSING_REQUIRED_PARAMETER", "Field must be set", "card.customer_id")
        if customer_id not in self.customers:
            return not_found("Customer", "card.customer_id")
        if not source.startswith("cnon:"):
            return invalid("INVALID_CARD_DATA", "Invalid card data.", "source_id")
        if source in self.used_nonces:
            return invalid("CARD_TOKEN_USED", "Card nonce already used; please request new nonce.", "source_id")
        self.used_nonces.add(source)
        card_id = "ccof:" + self.new_id("CARD")
        card = {"id": card_id, "card_brand": "VISA", "last_4": "1111", "exp_month": 12,
                "exp_year": datetime.date.today().year + 4, "customer_id": customer_id, "merchant_id": "MLFAKE",
                "enabled": True, "card_type": "CREDIT", "prepaid_type": "NOT_PREPAID", "bin": "411111",
                "version": 1, "fingerprint": "sq-1-fake", "_declines": source == "cnon:card-nonce-declined"}
        for field in ("cardholder_name", "billing_address", "reference_id"):
            if field in card_in:
                card[field] = card_in[field]
        self.cards[card_id] = card
        return Response(200, {"card": self.public(card)})

    @staticmethod
    def public(card):
        return {k: v for k, v in card.items() if not k.startswith("_")}

    def create_payment(self, request, body):
        money = body.get("amount_money")
        if not money or "amount" not in money or "currency" not in money:
            return invalid("MISSING_REQUIRED_PARAMETER", "Field must be set", "amount_money")
        if money["amount"] <= 0:
            return invalid("INVALID_VALUE", "amount_money.amount must be greater than 0.", "amount_money.amount")
        card = self.cards.get(body["source_id"])
        if card is None:
            return not_found("Card", "source_id")
        if body.get("customer_id") != card["customer_id"]:
            return invalid("INVALID_VALUE", "customer_id is required and must own the card on file.", "customer_id")
        if not card["enabled"]:
            return invalid("INVALID_CARD", "The card is disabled.", "source_id")
        location = self.options.get("location_id")
        if location and body.get("location_id", location) != location:
            return not_found("Location", "location_id")
        payment_id = self.new_id("PAY")
        declined = request.decline or card["_declines"]
        payment = {"id": payment_id, "created_at": now(), "updated_at": now(), "amount_money": dict(money),
                   "total_money": dict(money), "status": "FAILED" if declined else "COMPLETED",
                   "source_type": "CARD", "location_id": body.get("location_id", location or "LFAKEMAIN"),
                   "customer_id": body["customer_id"], "refund_ids": [], "version_token": "v1",
                   "card_details": {"status": "FAILED" if declined else "CAPTURED", "entry_method": "ON_FILE",
                                    "card": {"card_brand": "VISA", "last_4": "1111"}}}
        for field in ("reference_id", "note"):
            if field in body:
                payment[field] = body[field]
        if not declined:
            payment["approved_money"] = dict(money)
        self.payments[payment_id] = payment
        if declined:
            errors = [{"category": "PAYMENT_METHOD_ERROR", "code": "GENERIC_DECLINE",
                       "detail": "Authorization error: 'GENERIC_DECLINE'"}]
            payment["card_details"]["errors"] = errors
            self.emit_object("payment.updated", "payment", payment)
            return Response(402, {"errors": errors, "payment": payment})
        self.emit_object("payment.updated", "payment", payment)
        return Response(200, {"payment": payment})

    def refund_payment(self, body):
        payment = self.payments.get(body.get("payment_id") or "")
        if payment is None:
            return not_found("Payment", "payment_id")
        money = body["amount_money"]
        if payment["status"] != "COMPLETED":
            return error(400, "REFUND_ERROR", "PAYMENT_NOT_REFUNDABLE", "The payment is not completed.", "payment_id")
        if money.get("currency") != payment["amount_money"]["currency"]:
            return invalid("INVALID_VALUE", "The refund currency must match the payment's.", "amount_money.currency")
        refunded = payment.get("refunded_money", {}).get("amount", 0)
        amount = money.get("amount", 0)
        if amount <= 0 or refunded + amount > payment["total_money"]["amount"]:
            return error(400, "REFUND_ERROR", "REFUND_AMOUNT_INVALID",
                         "The requested refund amount exceeds the amount available to refund.", "amount_money.amount")
        refund_id = "%s_%s" % (payment["id"], self.new_id("R"))
        refund = {"id": refund_id, "status": "COMPLETED", "amount_money": dict(money), "payment_id": payment["id"],
                  "location_id": payment["location_id"], "created_at": now(), "updated_at": now(),
                  "destination_type": "CARD"}
        if body.get("reason"):
            refund["reason"] = body["reason"]
        self.refunds[refund_id] = refund
        payment["refunded_money"] = {"amount": refunded + amount, "currency": money["currency"]}
        payment["refund_ids"].append(refund_id)
        payment["updated_at"] = now()
        self.emit_object("refund.updated", "refund", refund)
        return Response(200, {"refund": refund})

    # --- webhooks ------------------------------------------------------------------------------------------------
    def emit_object(self, event_type, object_type, obj):
        event_id = "evt-%s-%d" % (obj["id"], next(self.ids))
        payload = {"merchant_id": "MLFAKE", "type": event_type, "event_id": event_id, "created_at": now(),
                   "data": {"type": object_type, "id": obj["id"], "object": {object_type: json.loads(json.dumps(obj))}}}
        self.emit(event_id, payload)

    def signed_event(self, event_id, payload, url):
        url = url or self.options.get("webhook_notification_url", "")
        body = json.dumps(payload, separators=(",", ":")).encode()
        key = self.options.get("webhook_signature_key", "").encode()
        signature = base64.b64encode(hmac.new(key, url.encode() + body, hashlib.sha256).digest()).decode()
        return body, {"x-square-hmacsha256-signature": signature, "Content-Type": "application/json"}

    # --- faults and state ----------------------------------------------------------------------------------------
    def error_response(self, status, message):
        code = {503: "SERVICE_UNAVAILABLE", 500: "INTERNAL_SERVER_ERROR"}.get(status, "BAD_REQUEST")
        return error(status, "API_ERROR" if status >= 500 else "INVALID_REQUEST_ERROR", code, message)

    def rate_limited_response(self, retry_after):
        response = error(429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Too many requests.")
        response.headers["Retry-After"] = str(retry_after)
        return response

    def state(self):
        return {"customers": list(self.customers.values()),
                "cards": [self.public(c) for c in self.cards.values()],
                "payments": list(self.payments.values()),
                "refunds": list(self.refunds.values())}
