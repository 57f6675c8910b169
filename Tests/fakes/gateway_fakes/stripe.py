"""Stripe (API 2023-08-16): customers, PaymentMethods, PaymentIntents, refunds, customer balance.

Options: secret_key (sk_test_…, required), webhook_secret (whsec_…, signs events).
Every request is checked like stripe-mock with -strict-version-check: Bearer/Basic key, `Stripe-Version` equal to the
spec's info.version, then the form body against specs/stripe/spec3.yaml. Test PaymentMethods are Stripe's magic ids
(`pm_card_visa`, `pm_card_chargeDeclined`, …): attaching one makes a new `pm_…` as Stripe does.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qsl

from . import spec
from .server import Response, VendorApp

API_VERSION = "2023-08-16"
SPEC = "stripe/spec3.yaml"

# magic PaymentMethod → (brand, last4, decline code or None)
TEST_CARDS = {
    "pm_card_visa": ("visa", "4242", None),
    "pm_card_mastercard": ("mastercard", "4444", None),
    "pm_card_amex": ("amex", "8431", None),
    "pm_card_chargeDeclined": ("visa", "0002", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_chargeDeclinedExpiredCard": ("visa", "0069", "expired_card"),
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
}
# Stripe's minimum charge per currency, in minor units (docs: minimum-and-maximum-charge-amounts).
MINIMUMS = {"usd": 50, "eur": 50, "gbp": 30, "chf": 50, "cad": 50, "aud": 50, "jpy": 50}


def new_id(prefix):
    return prefix + "_" + secrets.token_hex(12)


def error(status, type_, message, code=None, param=None, **extra):
    body = {"type": type_, "message": message}
    if code:
        body["code"] = code
        body["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
    if param:
        body["param"] = param
    body.update(extra)
    return Response(status, {"error": body}, {"Request-Id": new_id("req")})


def ok(body, status=200):
    return Response(status, body, {"Request-Id": new_id("req")})


def missing(kind, ident, param="id"):
    return error(404, "invalid_request_error", "No such %s: '%s'" % (kind, ident), "resource_missing", param)


class Vendor(VendorApp):
    name = "stripe"

    def reset(self):
        self.customers = {}
        self.payment_methods = {}
        self.intents = {}
        self.refunds = {}
        self.balance_transactions = {}
        self.idempotency = {}       # key → (fingerprint, Response)

    # --- error formats -----------------------------------------------------------------------------------------
    def error_response(self, status, message):
        return error(status, "api_error", message)

    def rate_limited_response(self, retry_after):
        return Response(429, {"error": {
            "type": "invalid_request_error", "code": "rate_limit",
            "message": "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."}},
            {"Retry-After": str(retry_after), "Request-Id": new_id("req")})

    # --- webhooks ----------------------------------------------------------------------------------------------
    def signed_event(self, event_id, payload, url):
        body = json.dumps(payload, indent=2).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        secret = self.options.get("webhook_secret")
        if secret:
            timestamp = str(int(time.time()))
            signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers["Stripe-Signature"] = "t=%s,v1=%s" % (timestamp, signature)
        return body, headers

    def event(self, type_, obj, request):
        event_id = new_id("evt")
        self.emit(event_id, {
            "id": event_id, "object": "event", "api_version": API_VERSION, "created": int(time.time()),
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": new_id("req"), "idempotency_key": request.header("idempotency-key")},
            "type": type_,
        })

    def state(self):
        return {"customers": list(self.customers.values()), "payment_methods": list(self.payment_methods.values()),
                "payment_intents": list(self.intents.values()), "refunds": list(self.refunds.values()),
                "balance_transactions": list(self.balance_transactions.values())}

    # --- front door --------------------------------------------------------------------------------------------
    def authenticated(self, request):
        expected = self.options.get("secret_key")
        header = request.header("authorization", "")
        given = None
        if header.startswith("Bearer "):
            given = header[len("Bearer "):]
        elif header.startswith("Basic "):
            try:
                given = base64.b64decode(header[len("Basic "):]).decode().split(":", 1)[0]
            except Exception:
                given = None
        return bool(expected) and given is not None and hmac.compare_digest(given, expected), given

    def handle(self, request):
        valid, given = self.authenticated(request)
        if not valid:
            request.problems.append("authentication failed")
            if not given:
                return error(401, "invalid_request_error",
                             "You did not provide an API key. You need to provide your API key in the Authorization "
                             "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
            return error(401, "invalid_request_error",
                         "Invalid API Key provided: %s****%s" % (given[:8], given[-4:]))
        version = request.header("stripe-version")
        if version != API_VERSION:
            request.problems.append("Stripe-Version must be %s, got %r" % (API_VERSION, version))
            return error(400, "invalid_request_error", "Invalid Stripe API version: %s" % version)
        content_type = request.header("content-type")
        if request.method == "POST" and (content_type or "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            request.problems.append("content type %r is not form-urlencoded" % content_type)
            return error(400, "invalid_request_error",
                         "Invalid request: unsupported Content-Type %s. If error persists and you need assistance, "
                         "please contact support@stripe.com." % content_type)
        problems = spec.load(SPEC).validate(request.method, request.path, request.query, content_type, request.body)
        if problems:
            request.problems.extend(problems)
            if problems[0].startswith("no operation"):
                return error(404, "invalid_request_error",
                             "Unrecognized request URL (%s: %s)." % (request.method, request.path))
            return error(400, "invalid_request_error", "Invalid request: " + "; ".join(problems), "parameter_invalid")
        form = spec.decode_form(request.body.decode()) if request.body else {}

        key = request.header("idempotency-key") if request.method == "POST" else None
        if key is not None:
            if not 1 <= len(key) <= 255:
                request.problems.append("Idempotency-Key must be 1-255 characters")
                return error(400, "invalid_request_error", "Idempotency-Key must be at most 255 characters.")
            fingerprint = (request.method, request.path, sorted(parse_qsl(request.body.decode(), keep_blank_values=True)))
            stored = self.idempotency.get(key)
            if stored:
                if stored[0] != fingerprint:
                    return error(400, "idempotency_error",
                                 "Keys for idempotent requests can only be used with the same parameters they were "
                                 "first used with. Try using a key other than '%s' if you meant to execute a "
                                 "different request." % key)
                replay = stored[1]
                return Response(replay.status, replay.body, dict(replay.headers, **{"Idempotent-Replayed": "true"}))
        response = self.route(request, form)
        if key is not None:
            self.idempotency[key] = (fingerprint, response)
        return response

    def route(self, request, form):
        method, parts = request.method, request.path.strip("/").split("/")
        if parts[:2] == ["v1", "customers"]:
            if len(parts) == 2 and method == "POST":
                return self.create_customer(form)
            if len(parts) == 3 and method == "GET":
                return self.get_customer(parts[2])
            if len(parts) == 4 and parts[3] == "balance_transactions" and method == "POST":
                return self.adjust_balance(parts[2], form)
        if parts[:2] == ["v1", "payment_methods"]:
            if len(parts) == 4 and parts[3] == "attach" and method == "POST":
                return self.attach(parts[2], form)
            if len(parts) == 3 and method == "GET":
                method_ = self.payment_methods.get(parts[2])
                return ok(self.public(method_)) if method_ else missing("payment_method", parts[2], "payment_method")
        if parts[:2] == ["v1", "payment_intents"]:
            if len(parts) == 2 and method == "POST":
                return self.create_intent(request, form)
            if len(parts) == 3 and method == "GET":
                intent = self.intents.get(parts[2])
                return ok(self.public(intent)) if intent else missing("payment_intent", parts[2], "intent")
        if parts[:2] == ["v1", "refunds"]:
            if len(parts) == 2 and method == "POST":
                return self.create_refund(request, form)
            if len(parts) == 3 and method == "GET":
                refund = self.refunds.get(parts[2])
                return ok(refund) if refund else missing("refund", parts[2], "refund")
        return error(404, "invalid_request_error", "Unrecognized request URL (%s: %s)." % (method, request.path))

    # --- customers ---------------------------------------------------------------------------------------------
    def create_customer(self, form):
        customer = {
            "id": new_id("cus"), "object": "customer", "address": None, "balance": int(form.get("balance", 0)),
            "created": int(time.time()), "currency": None, "default_source": None, "delinquent": False,
            "description": form.get("description"), "discount": None, "email": form.get("email"),
            "invoice_prefix": secrets.token_hex(4).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                                 "rendering_options": None},
            "livemode": False, "metadata": form.get("metadata") or {}, "name": form.get("name"), "phone": None,
            "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
        }
        self.customers[customer["id"]] = customer
        return ok(customer)

    def get_customer(self, ident):
        customer = self.customers.get(ident)
        return ok(customer) if customer else missing("customer", ident, "customer")

    def adjust_balance(self, ident, form):
        customer = self.customers.get(ident)
        if not customer:
            return missing("customer", ident, "customer")
        currency = form["currency"]
        if customer["currency"] not in (None, currency):
            return error(400, "invalid_request_error",
                         "The currency of the balance transaction must match the customer's currency (%s)."
                         % customer["currency"], None, "currency")
        amount = int(form["amount"])
        customer["currency"] = currency
        customer["balance"] += amount
        transaction = {"id": new_id("cbtxn"), "object": "customer_balance_transaction", "amount": amount,
                       "created": int(time.time()), "credit_note": None, "currency": currency, "customer": ident,
                       "description": form.get("description"), "ending_balance": customer["balance"],
                       "invoice": None, "livemode": False, "metadata": form.get("metadata") or {},
                       "type": "adjustment"}
        self.balance_transactions[transaction["id"]] = transaction
        return ok(transaction)

    # --- payment methods ---------------------------------------------------------------------------------------
    def attach(self, ident, form):
        customer = form["customer"]
        if customer not in self.customers:
            return missing("customer", customer, "customer")
        if ident in TEST_CARDS:
            brand, last4, _ = TEST_CARDS[ident]
            year = time.gmtime().tm_year + 3
            method = {
                "id": new_id("pm"), "object": "payment_method",
                "billing_details": {"address": None, "email": None, "name": None, "phone": None},
                "card": {"brand": brand, "checks": {"address_line1_check": None, "address_postal_code_check": None,
                                                    "cvc_check": "pass"},
                         "country": "US", "exp_month": 12, "exp_year": year, "fingerprint": secrets.token_hex(8),
                         "funding": "credit", "generated_from": None, "last4": last4, "networks": None,
                         "three_d_secure_usage": {"supported": True}, "wallet": None},
                "created": int(time.time()), "customer": customer, "livemode": False, "metadata": {},
                "type": "card", "_test_card": ident,
            }
            self.payment_methods[method["id"]] = method
            return ok(self.public(method))
        method = self.payment_methods.get(ident)
        if not method:
            return missing("payment_method", ident, "payment_method")
        if method["customer"] not in (None, customer):
            return error(400, "invalid_request_error",
                         "The payment method you provided has already been attached to a customer.",
                         "payment_method_unexpected_state")
        method["customer"] = customer
        return ok(self.public(method))

    @staticmethod
    def public(obj):
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # --- payment intents ---------------------------------------------------------------------------------------
    def create_intent(self, request, form):
        amount, currency = int(form["amount"]), form["currency"]
        if currency != currency.lower() or not re.fullmatch(r"[a-z]{3}", currency):
            request.problems.append("currency %r is not a lowercase ISO code" % currency)
            return error(400, "invalid_request_error", "Invalid currency: %s." % currency, "parameter_invalid", "currency")
        if amount < MINIMUMS.get(currency, 1):
            return error(400, "invalid_request_error", "Amount must be at least %d %s" % (MINIMUMS.get(currency, 1), currency),
                         "amount_too_small", "amount")
        if amount > 99999999:
            return error(400, "invalid_request_error", "Amount must be no more than 99999999", "amount_too_large", "amount")
        confirm = form.get("confirm") is True or form.get("confirm") == "true"
        off_session = form.get("off_session")
        if off_session not in (None, False, "false") and not confirm:
            return error(400, "invalid_request_error",
                         "You may only specify `off_session` when confirming the PaymentIntent.", "parameter_invalid",
                         "off_session")
        customer = form.get("customer")
        if customer is not None and customer not in self.customers:
            return missing("customer", customer, "customer")
        method_id = form.get("payment_method")
        method = self.payment_methods.get(method_id) if method_id else None
        if method_id and not method:
            return missing("payment_method", method_id, "payment_method")
        if method and method["customer"] != customer:
            return error(400, "invalid_request_error",
                         "The provided PaymentMethod was previously used with a PaymentIntent without Customer "
                         "attachment, shared with a connected account without Customer attachment, or was detached "
                         "from a Customer. It may not be used again.", "payment_method_unexpected_state", "payment_method")
        if confirm and not method:
            return error(400, "invalid_request_error",
                         "You cannot confirm this PaymentIntent because it's missing a payment method.",
                         "payment_intent_unexpected_state", "payment_method")
        intent = {
            "id": new_id("pi"), "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_details": {"tip": {}}, "amount_received": 0, "application": None, "application_fee_amount": None,
            "automatic_payment_methods": None, "canceled_at": None, "cancellation_reason": None,
            "capture_method": "automatic", "client_secret": None, "confirmation_method": "automatic",
            "created": int(time.time()), "currency": currency, "customer": customer,
            "description": form.get("description"), "invoice": None, "last_payment_error": None,
            "latest_charge": None, "livemode": False, "metadata": form.get("metadata") or {}, "next_action": None,
            "on_behalf_of": None, "payment_method": method_id, "payment_method_options": {},
            "payment_method_types": ["card"], "processing": None, "receipt_email": None, "review": None,
            "setup_future_usage": None, "shipping": None, "statement_descriptor": None,
            "statement_descriptor_suffix": None, "status": "requires_confirmation" if method else "requires_payment_method",
            "transfer_data": None, "transfer_group": None, "_refunded": 0,
        }
        intent["client_secret"] = intent["id"] + "_secret_" + secrets.token_hex(8)
        self.intents[intent["id"]] = intent
        if not confirm:
            return ok(self.public(intent))
        charge_id = new_id("ch")
        intent["latest_charge"] = charge_id
        decline = TEST_CARDS.get(method.get("_test_card"), (None, None, None))[2]
        if request.decline and not decline:
            decline = "generic_decline"
        if decline:
            code = "expired_card" if decline == "expired_card" else "card_declined"
            failure = {"type": "card_error", "code": code, "decline_code": decline,
                       "message": DECLINE_MESSAGES[decline], "charge": charge_id,
                       "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
                       "payment_method": self.public(method)}
            intent.update(status="requires_payment_method", last_payment_error=failure, payment_method=None)
            self.event("payment_intent.payment_failed", self.public(intent), request)
            return error(402, "card_error", failure["message"], code, None, decline_code=decline, charge=charge_id,
                         payment_intent=self.public(intent), payment_method=self.public(method))
        intent.update(status="succeeded", amount_received=amount)
        self.event("payment_intent.succeeded", self.public(intent), request)
        return ok(self.public(intent))

    # --- refunds -----------------------------------------------------------------------------------------------
    def create_refund(self, request, form):
        ident = form.get("payment_intent")
        if not ident:
            # Charges are only reachable through their PaymentIntent in this fake.
            return error(400, "invalid_request_error", "One of the following params should be provided for this "
                         "request: payment_intent or charge.", "parameter_missing", "payment_intent")
        intent = self.intents.get(ident)
        if not intent:
            return missing("payment_intent", ident, "payment_intent")
        if intent["status"] != "succeeded":
            return error(400, "invalid_request_error",
                         "This PaymentIntent does not have a successful charge to refund.",
                         "charge_not_refundable", "payment_intent")
        remaining = intent["amount_received"] - intent["_refunded"]
        if remaining <= 0:
            return error(400, "invalid_request_error", "Charge %s has already been refunded." % intent["latest_charge"],
                         "charge_already_refunded")
        amount = int(form.get("amount", remaining))
        if amount <= 0:
            return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer", "amount")
        if amount > remaining:
            return error(400, "invalid_request_error",
                         "Refund amount (%d %s) is greater than unrefunded amount on charge (%d %s)"
                         % (amount, intent["currency"], remaining, intent["currency"]), "amount_too_large", "amount")
        intent["_refunded"] += amount
        refund = {"id": new_id("re"), "object": "refund", "amount": amount, "balance_transaction": new_id("txn"),
                  "charge": intent["latest_charge"], "created": int(time.time()), "currency": intent["currency"],
                  "metadata": form.get("metadata") or {}, "payment_intent": ident, "reason": form.get("reason"),
                  "receipt_number": None, "source_transfer_reversal": None, "status": "succeeded",
                  "transfer_reversal": None}
        self.refunds[refund["id"]] = refund
        self.event("refund.created", refund, request)
        self.event("charge.refunded", {
            "id": intent["latest_charge"], "object": "charge", "amount": intent["amount"],
            "amount_captured": intent["amount_received"], "amount_refunded": intent["_refunded"],
            "currency": intent["currency"], "customer": intent["customer"], "metadata": intent["metadata"],
            "paid": True, "payment_intent": ident, "refunded": intent["_refunded"] == intent["amount_received"],
            "status": "succeeded"}, request)
        return ok(refund)
