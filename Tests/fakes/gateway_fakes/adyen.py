"""Adyen Checkout v71 (gateways reference §5): stored payment methods, payments, asynchronous refunds, and standard
notifications signed with the field HMAC.

Options: api_key (X-API-Key), merchant_account (the only account the key may use), hmac_key (hex, signs webhooks).

Every request is checked against specs/adyen/CheckoutService-v71.json (paths carry the /v71 prefix) plus the rules the
spec leaves out: the API key, the merchant account, Idempotency-Key ≤ 64 characters, a stored card charged only for
its own shopperReference. Idempotency follows Adyen's documentation: the key is account-wide and a request repeating
it gets the stored first answer (with the key echoed), whatever its body. Cards: Adyen's test values
(`encryptedCardNumber: "test_4111111111111111"`, `test_03`, `test_2030`, `test_737`) or plain `number`/`expiryMonth`/
`expiryYear`; a holderName of "REFUSED" or a "decline" fault makes payments come back 200 Refused. A refused payment
is not an error. Refunds always answer 201 "received"; the REFUND notification says whether it went through (an
amount beyond what is left of the payment fails there, success "false"). There is no payment GET.
"""
import base64
import datetime
import hashlib
import hmac
import itertools
import json

from . import spec
from .server import Response, VendorApp

SPEC = "adyen/CheckoutService-v71.json"
PREFIX = "/v71"


def service_error(status, code, message, error_type):
    return Response(status, {"status": status, "errorCode": code, "message": message, "errorType": error_type})


def validation(code, message):
    return service_error(422, code, message, "validation")


def event_date():
    return datetime.datetime.now(datetime.timezone.utc).astimezone().replace(microsecond=0).isoformat()


class Vendor(VendorApp):
    name = "adyen"

    def reset(self):
        self.ids = itertools.count(1)
        self.stored = {}            # id -> stored payment method (with shopperReference)
        self.payments = {}          # pspReference -> payment
        self.refunds = {}           # pspReference -> refund
        self.idempotency = {}       # key -> Response

    def psp(self):
        return "FAKE%012d" % next(self.ids)

    # --- the vendor's surface ------------------------------------------------------------------------------------
    def handle(self, request):
        api_key = self.options.get("api_key", "")
        if not api_key or request.header("x-api-key") != api_key:
            request.problems.append("missing or wrong X-API-Key")
            return service_error(401, "000", "HTTP Status Response - Unauthorized", "security")
        key = request.header("idempotency-key")
        if key is not None and not 0 < len(key) <= 64:
            request.problems.append("Idempotency-Key must be 1 to 64 characters")
            return validation("000", "Idempotency-Key must be 1 to 64 characters")
        problems = spec.load(SPEC).validate(request.method, request.path, request.query,
                                            request.header("content-type"), request.body)
        if problems:
            request.problems.extend(problems)
            return validation("702", "; ".join(problems))
        body = request.json() if request.body else {}
        account = body.get("merchantAccount") if request.method == "POST" else request.query_value("merchantAccount")
        if account != self.options.get("merchant_account"):
            request.problems.append("merchantAccount %r is not the account of this API key" % account)
            return service_error(403, "901", "Invalid Merchant Account", "security")

        if request.method == "POST" and key:
            if key in self.idempotency:
                return self.idempotency[key]
            response = self.route(request, body)
            response.headers["Idempotency-Key"] = key
            if response.status < 500:
                self.idempotency[key] = response
            return response
        return self.route(request, body)

    def route(self, request, body):
        method, path = request.method, request.path
        parts = path[len(PREFIX):].strip("/").split("/") if path.startswith(PREFIX + "/") else []
        if method == "POST" and parts == ["storedPaymentMethods"]:
            return self.store(body)
        if method == "GET" and parts == ["storedPaymentMethods"]:
            return self.list_stored(request)
        if method == "POST" and parts == ["payments"]:
            return self.pay(request, body)
        if method == "POST" and len(parts) == 3 and parts[0] == "payments" and parts[2] == "refunds":
            return self.refund(parts[1], body)
        request.problems.append("the fake does not serve %s %s" % (method, path))
        return service_error(404, "000", "Not Found", "validation")

    @staticmethod
    def card_value(method, plain, encrypted):
        if plain in method:
            return str(method[plain])
        value = method.get(encrypted)
        if isinstance(value, str) and value.startswith("test_"):
            return value[len("test_"):]
        return None

    def store(self, body):
        method = body["paymentMethod"]
        if method.get("type", "scheme") != "scheme":
            return validation("000", "Only card (scheme) details can be stored here")
        number = self.card_value(method, "number", "encryptedCardNumber")
        month = self.card_value(method, "expiryMonth", "encryptedExpiryMonth")
        year = self.card_value(method, "expiryYear", "encryptedExpiryYear")
        if not (number and month and year) or not number.isdigit() or len(number) < 12:
            return validation("174", "Unable to decrypt data")
        stored_id = "M%015d" % next(self.ids)
        stored = {"id": stored_id, "type": "scheme", "brand": "visa" if number.startswith("4") else "mc",
                  "lastFour": number[-4:], "expiryMonth": month.zfill(2), "expiryYear": year,
                  "holderName": method.get("holderName", ""), "shopperReference": body["shopperReference"],
                  "supportedRecurringProcessingModels": [body["recurringProcessingModel"]]}
        self.stored[stored_id] = stored
        return Response(201, stored)

    def list_stored(self, request):
        shopper = request.query_value("shopperReference")
        if not shopper:
            request.problems.append("shopperReference is required to list stored payment methods")
            return validation("000", "shopperReference is required")
        methods = [m for m in self.stored.values() if m["shopperReference"] == shopper]
        return Response(200, {"merchantAccount": request.query_value("merchantAccount"), "shopperReference": shopper,
                              "storedPaymentMethods": methods})

    def pay(self, request, body):
        method = body["paymentMethod"]
        stored_id = method.get("storedPaymentMethodId")
        stored = self.stored.get(stored_id) if stored_id else None
        if stored_id and (stored is None or stored["shopperReference"] != body.get("shopperReference")):
            return validation("800", "Contract not found")
        if stored_id and body.get("shopperInteraction") != "ContAuth":
            request.problems.append("a merchant-initiated stored-card charge needs shopperInteraction ContAuth")
            return validation("000", "shopperInteraction must be ContAuth for a stored card")
        if stored_id and not body.get("recurringProcessingModel"):
            request.problems.append("a stored-card charge needs recurringProcessingModel")
            return validation("000", "recurringProcessingModel is required with a stored card")
        if stored is None:
            return validation("000", "The fake only charges stored cards")
        amount = body["amount"]
        if amount["value"] <= 0:
            return validation("137", "Invalid amount specified")
        refused = request.decline or stored["holderName"] == "REFUSED"
        psp = self.psp()
        payment = {"pspReference": psp, "merchantReference": body["reference"], "amount": dict(amount),
                   "shopperReference": body["shopperReference"], "storedPaymentMethodId": stored_id,
                   "resultCode": "Refused" if refused else "Authorised", "refunded": 0}
        self.payments[psp] = payment
        answer = {"pspReference": psp, "resultCode": payment["resultCode"], "amount": dict(amount),
                  "merchantReference": body["reference"]}
        if refused:
            answer.update(refusalReason="Refused", refusalReasonCode="2")
        self.notify("AUTHORISATION", psp, None, body["reference"], amount, not refused,
                    "Refused" if refused else "")
        return Response(200, answer)

    def refund(self, payment_psp, body):
        payment = self.payments.get(payment_psp)
        if payment is None:
            return validation("167", "Original pspReference required for this operation")
        amount = body["amount"]
        if amount["currency"] != payment["amount"]["currency"]:
            return validation("000", "Currency of the refund does not match the payment")
        psp = self.psp()
        left = payment["amount"]["value"] - payment["refunded"]
        if payment["resultCode"] != "Authorised":
            outcome, reason = False, "Transaction not refundable"
        elif amount["value"] <= 0 or amount["value"] > left:
            outcome, reason = False, "Insufficient in-process funds on the payment"
        else:
            outcome, reason = True, ""
            payment["refunded"] += amount["value"]
        refund = {"pspReference": psp, "paymentPspReference": payment_psp, "reference": body.get("reference"),
                  "amount": dict(amount), "status": "received", "succeeded": outcome}
        self.refunds[psp] = refund
        self.notify("REFUND", psp, payment_psp, body.get("reference"), amount, outcome, reason)
        answer = {"merchantAccount": body["merchantAccount"], "paymentPspReference": payment_psp, "pspReference": psp,
                  "status": "received", "amount": dict(amount)}
        if body.get("reference"):
            answer["reference"] = body["reference"]
        return Response(201, answer)

    # --- webhooks ------------------------------------------------------------------------------------------------
    def notify(self, event_code, psp, original, merchant_reference, amount, success, reason):
        item = {"additionalData": {}, "amount": dict(amount), "eventCode": event_code, "eventDate": event_date(),
                "merchantAccountCode": self.options.get("merchant_account", ""),
                "merchantReference": merchant_reference or "", "pspReference": psp,
                "reason": reason, "success": "true" if success else "false"}
        if original:
            item["originalReference"] = original
        if event_code == "AUTHORISATION":
            item["paymentMethod"] = "visa"
        self.emit("%s:%s" % (psp, event_code), item)

    def signed_event(self, event_id, payload, url):
        item = json.loads(json.dumps(payload))
        fields = [item.get("pspReference", ""), item.get("originalReference", ""),
                  item.get("merchantAccountCode", ""), item.get("merchantReference", ""),
                  str(item["amount"]["value"]), item["amount"]["currency"], item.get("eventCode", ""),
                  item.get("success", "")]
        key = bytes.fromhex(self.options.get("hmac_key", ""))
        signature = base64.b64encode(hmac.new(key, ":".join(fields).encode(), hashlib.sha256).digest()).decode()
        item["additionalData"]["hmacSignature"] = signature
        body = json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}).encode()
        return body, {"Content-Type": "application/json"}

    # --- faults and state ----------------------------------------------------------------------------------------
    def error_response(self, status, message):
        return service_error(status, "000" if status < 500 else "905", message,
                             "internal" if status >= 500 else "validation")

    def rate_limited_response(self, retry_after):
        response = service_error(429, "000", "Too many requests", "throttling")
        response.headers["Retry-After"] = str(retry_after)
        return response

    def state(self):
        return {"storedPaymentMethods": list(self.stored.values()), "payments": list(self.payments.values()),
                "refunds": list(self.refunds.values())}
