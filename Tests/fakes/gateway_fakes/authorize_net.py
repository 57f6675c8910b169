"""Authorize.Net JSON API fake: POST /xml/v1/request.api (gateways reference §6).

The XSD behind the API cannot be redistributed, so the element sequences of the requests we support are written out
here by hand and checked the way the API's XSD validation does: keys must come in sequence order, required elements
must be present, lengths, decimals, booleans and enumerations must fit, and violations are answered with E00003 and
.NET-style schema text. Every answer is HTTP 200 and starts with a UTF-8 BOM, like the real API.

Options: api_login_id, transaction_key (merchantAuthentication, E00007 otherwise), signature_key (webhooks),
currency (the account's currency, default USD), settle_after_seconds (how long a capture stays
capturedPendingSettlement before it counts as settled; default 0 = settled at once).

Payment tokens (Accept.js opaqueData.dataValue) are single use, like real nonces: `tok_<brand>[_anything]` with brand
visa, mastercard, amex, expired (a Visa that expired in 2020-01) or decline (a card whose charges are declined).
Any other value, or a nonce used before, is E00114 "Invalid OTS Token.". A billTo zip of 46282 also declines, as in
the Authorize.Net sandbox.
"""
import datetime
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from decimal import Decimal, InvalidOperation

from .server import Response, VendorApp

NS = "AnetApi/xml/v1/schema/AnetApiSchema.xsd"
BOM = b"\xef\xbb\xbf"
MAX_DUPLICATE_WINDOW = 28800
DEFAULT_DUPLICATE_WINDOW = 120

CARDS = {
    "visa": ("4111111111111111", "2030-12", "Visa"),
    "mastercard": ("5424000000000015", "2031-06", "MasterCard"),
    "amex": ("370000000000002", "2029-03", "AmericanExpress"),
    "expired": ("4007000000027", "2020-01", "Visa"),
    "decline": ("4222222222222", "2030-12", "Visa"),
}
DECLINING_CARDS = {"4222222222222"}


# --- ordered JSON out ------------------------------------------------------------------------------------------------
class Dec:
    """An xs:decimal amount, written as a bare JSON number with two decimals (`5.00`), as the JSON API does."""

    def __init__(self, value):
        self.value = Decimal(value)


def dumps(value):
    if isinstance(value, Dec):
        return format(value.value.quantize(Decimal("0.01")), "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


# --- ordered JSON in -------------------------------------------------------------------------------------------------
class Obj(dict):
    """A JSON object that remembers repeated keys (which XML would see as out-of-sequence elements)."""

    def __init__(self, pairs):
        super().__init__()
        self.repeated = []
        for key, value in pairs:
            if key in self:
                self.repeated.append(key)
            self[key] = value


# --- the schema, by hand ---------------------------------------------------------------------------------------------
class E:
    def __init__(self, name, kind="any", required=False, many=False):
        self.name, self.kind, self.required, self.many = name, kind, required, many


def S(maximum, minimum=0):
    return ("string", maximum, minimum)


def ENUM(*values):
    return ("enum",) + values


DEC, BOOL, INT, NUMERIC = "decimal", "boolean", "int", "numericString"

MERCHANT_AUTHENTICATION = [
    E("name", S(25)), E("transactionKey", S(16)), E("sessionToken"), E("password", S(40)),
    E("impersonationAuthentication"), E("fingerPrint"), E("clientKey"), E("accessToken"), E("mobileDeviceId", S(60)),
]
HEAD = [E("merchantAuthentication", MERCHANT_AUTHENTICATION, True), E("clientId", S(30)), E("refId", S(20))]
CREDIT_CARD = [
    E("cardNumber", S(16, 4), True), E("expirationDate", S(7, 4), True), E("cardCode", S(4, 3)),
    E("isPaymentToken", BOOL), E("cryptogram"), E("tokenRequestorName"), E("tokenRequestorId"), E("tokenRequestorEci"),
]
OPAQUE_DATA = [E("dataDescriptor", S(255), True), E("dataValue", S(8192), True), E("dataKey"),
               E("expirationTimeStamp")]
PAYMENT = ("choice", [
    E("creditCard", CREDIT_CARD), E("bankAccount"), E("trackData"), E("encryptedTrackData"), E("payPal"),
    E("opaqueData", OPAQUE_DATA), E("emv"),
])
ADDRESS = [
    E("firstName", S(50)), E("lastName", S(50)), E("company", S(50)), E("address", S(60)), E("city", S(40)),
    E("state", S(40)), E("zip", S(20)), E("country", S(60)), E("phoneNumber", S(25)), E("faxNumber", S(25)),
    E("email", S(255)),
]
CUSTOMER_PAYMENT_PROFILE = [
    E("customerType", ENUM("individual", "business")), E("billTo", ADDRESS), E("payment", PAYMENT),
    E("driversLicense"), E("taxId", S(9, 8)), E("defaultPaymentProfile", BOOL), E("subsequentAuthInformation"),
    E("excludeFromAccountUpdater", BOOL),
]
CUSTOMER_PROFILE = [
    E("merchantCustomerId", S(20)), E("description", S(255)), E("email", S(255)),
    E("paymentProfiles", CUSTOMER_PAYMENT_PROFILE, many=True), E("shipToList", ADDRESS, many=True),
    E("profileType", ENUM("regular", "guest")),
]
VALIDATION_MODE = ENUM("none", "testMode", "liveMode", "oldLiveMode")
PROFILE_PAYMENT = [
    E("createProfile", BOOL), E("customerProfileId", NUMERIC),
    E("paymentProfile", [E("paymentProfileId", NUMERIC, True), E("cardCode", S(4, 3))]),
    E("shippingProfileId", NUMERIC),
]
ORDER = [E("invoiceNumber", S(20)), E("description", S(255)), E("discountAmount", DEC), E("taxIsLocalRate", BOOL),
         E("purchaserVATRegistrationNumber", S(21)), E("merchantVATRegistrationNumber", S(21)),
         E("vatInvoiceReferenceNumber", S(15)), E("purchaserCode", S(17)), E("summaryCommodityCode", S(4)),
         E("purchaseOrderDateUTC"), E("supplierOrderReference", S(25)), E("authorizedContactName", S(36)),
         E("cardAcceptorRefNumber", S(25)), E("amexDataTAA1"), E("amexDataTAA2"), E("amexDataTAA3"),
         E("amexDataTAA4")]
SETTINGS = [E("setting", [E("settingName", S(255)), E("settingValue", S(4096))], many=True)]
TRANSACTION_TYPE = ENUM("authOnlyTransaction", "authCaptureTransaction", "captureOnlyTransaction",
                        "refundTransaction", "priorAuthCaptureTransaction", "voidTransaction",
                        "getDetailsTransaction", "authOnlyContinueTransaction", "authCaptureContinueTransaction")
TRANSACTION_REQUEST = [
    E("transactionType", TRANSACTION_TYPE, True), E("amount", DEC), E("currencyCode", S(3)), E("payment", PAYMENT),
    E("profile", PROFILE_PAYMENT), E("solution"), E("callId"), E("terminalNumber"), E("authCode", S(6)),
    E("refTransId", S(20)), E("splitTenderId"), E("order", ORDER), E("lineItems"), E("tax"), E("duty"),
    E("shipping"), E("taxExempt", BOOL), E("poNumber", S(25)),
    E("customer", [E("type", ENUM("individual", "business")), E("id", S(20)), E("email", S(255)),
                   E("driversLicense"), E("taxId", S(9, 8))]),
    E("billTo", ADDRESS), E("shipTo"), E("customerIP", S(15)), E("cardholderAuthentication"), E("retail"),
    E("employeeId", S(4)), E("transactionSettings", SETTINGS), E("userFields"), E("surcharge"),
    E("merchantDescriptor"), E("subMerchant"), E("tip"), E("processingOptions"), E("subsequentAuthInformation"),
    E("otherTax"), E("shipFrom"), E("authorizationIndicatorType"),
]
REQUESTS = {
    "createCustomerProfileRequest": HEAD + [E("profile", CUSTOMER_PROFILE, True), E("validationMode", VALIDATION_MODE)],
    "getCustomerProfileRequest": HEAD + [E("customerProfileId", NUMERIC), E("merchantCustomerId", S(20)),
                                         E("email", S(255)), E("unmaskExpirationDate", BOOL),
                                         E("includeIssuerInfo", BOOL)],
    "createCustomerPaymentProfileRequest": HEAD + [E("customerProfileId", NUMERIC, True),
                                                   E("paymentProfile", CUSTOMER_PAYMENT_PROFILE, True),
                                                   E("validationMode", VALIDATION_MODE)],
    "getCustomerPaymentProfileRequest": HEAD + [E("customerProfileId", NUMERIC, True),
                                                E("customerPaymentProfileId", NUMERIC, True),
                                                E("unmaskExpirationDate", BOOL), E("includeIssuerInfo", BOOL)],
    "createTransactionRequest": HEAD + [E("transactionRequest", TRANSACTION_REQUEST, True)],
    "getTransactionDetailsRequest": HEAD + [E("transId", NUMERIC, True)],
    "getTransactionListForCustomerRequest": HEAD + [
        E("customerProfileId", NUMERIC, True), E("customerPaymentProfileId", NUMERIC),
        E("sorting", [E("orderBy", ENUM("id", "submitTimeUTC"), True), E("orderDescending", BOOL, True)]),
        E("paging", [E("limit", INT, True), E("offset", INT, True)]),
    ],
}
DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class SchemaError(Exception):
    pass


def _expected(sequence, position):
    names = []
    for element in sequence[position:]:
        names.append(element.name)
        if element.required:
            break
    return names


def _list(names):
    return "'%s' in namespace '%s'" % (", ".join(names), NS)


def check_element(parent, sequence, value):
    """Validates `value` (a JSON object) as the XSD sequence `sequence` of element `parent`; raises SchemaError."""
    if isinstance(sequence, tuple) and sequence[0] == "choice":
        if not isinstance(value, dict):
            raise SchemaError("The element '%s' in namespace '%s' cannot contain text." % (parent, NS))
        options = sequence[1]
        if len(value) != 1:
            keys = list(value)
            if not keys:
                raise SchemaError("The element '%s' in namespace '%s' has incomplete content. List of possible "
                                  "elements expected: %s." % (parent, NS, _list([o.name for o in options])))
            raise SchemaError("The element '%s' in namespace '%s' has invalid child element '%s' in namespace "
                              "'%s'." % (parent, NS, keys[1], NS))
        (key, child), = value.items()
        for option in options:
            if option.name == key:
                check_value(option, child)
                return
        raise SchemaError("The element '%s' in namespace '%s' has invalid child element '%s' in namespace '%s'. "
                          "List of possible elements expected: %s." % (parent, NS, key, NS,
                                                                      _list([o.name for o in options])))
    if not isinstance(value, dict):
        raise SchemaError("The element '%s' in namespace '%s' cannot contain text." % (parent, NS))
    if getattr(value, "repeated", None):
        raise SchemaError("The element '%s' in namespace '%s' has invalid child element '%s' in namespace '%s'."
                          % (parent, NS, value.repeated[0], NS))
    position = 0
    for key, child in value.items():
        found = next((i for i in range(position, len(sequence)) if sequence[i].name == key), None)
        if found is None or any(sequence[i].required for i in range(position, found)):
            expected = _expected(sequence, position)
            tail = (" List of possible elements expected: %s." % _list(expected)) if expected else ""
            raise SchemaError("The element '%s' in namespace '%s' has invalid child element '%s' in namespace "
                              "'%s'.%s" % (parent, NS, key, NS, tail))
        check_value(sequence[found], child)
        position = found + 1
    if any(element.required for element in sequence[position:]):
        raise SchemaError("The element '%s' in namespace '%s' has incomplete content. List of possible elements "
                          "expected: %s." % (parent, NS, _list(_expected(sequence, position))))


def check_value(element, value):
    if isinstance(value, list):
        if not element.many:
            raise SchemaError("The element '%s' in namespace '%s' cannot be repeated." % (element.name, NS))
        for item in value:
            check_single(element, item)
    else:
        check_single(element, value)


def check_single(element, value):
    kind = element.kind
    if kind == "any":
        return
    if isinstance(kind, list) or (isinstance(kind, tuple) and kind[0] == "choice"):
        check_element(element.name, kind, value)
        return
    if isinstance(value, (dict, list)) or value is None:
        raise SchemaError("The element '%s' in namespace '%s' cannot contain child elements." % (element.name, NS))
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)

    def invalid(datatype, why):
        raise SchemaError("The '%s:%s' element is invalid - The value '%s' is invalid according to its datatype "
                          "'%s' - %s" % (NS, element.name, text, datatype, why))

    if isinstance(kind, tuple) and kind[0] == "string":
        if len(text) > kind[1]:
            invalid("String", "The actual length is greater than the MaxLength value.")
        if len(text) < kind[2]:
            invalid("String", "The actual length is less than the MinLength value.")
    elif isinstance(kind, tuple) and kind[0] == "enum":
        if text not in kind[1:]:
            invalid("String", "The Enumeration constraint failed.")
    elif kind == DEC:
        if not DECIMAL_RE.match(text):
            invalid("Decimal", "The string '%s' is not a valid Decimal value." % text)
    elif kind == BOOL:
        if text not in ("true", "false", "1", "0"):
            invalid("Boolean", "The string '%s' is not a valid Boolean value." % text)
    elif kind == INT:
        if not re.match(r"^[+-]?\d+$", text):
            invalid("Int", "The string '%s' is not a valid Int32 value." % text)
    elif kind == NUMERIC:
        if not re.match(r"^[0-9]+$", text):
            invalid("numericString", "The Pattern constraint failed.")


def text_of(value, default=None):
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def masked(number):
    return "XXXX" + number[-4:]


class Vendor(VendorApp):
    name = "authorize_net"

    def reset(self):
        self.profiles = {}            # customerProfileId -> dict
        self.payment_profiles = {}    # customerPaymentProfileId -> dict
        self.transactions = {}        # transId -> dict, in creation order
        self.used_nonces = set()
        self.profile_ids = itertools.count(500000001)
        self.payment_profile_ids = itertools.count(600000001)
        self.transaction_ids = itertools.count(60000000001)

    # --- options -----------------------------------------------------------------------------------------------
    @property
    def currency(self):
        return self.options.get("currency", "USD")

    @property
    def settle_after(self):
        return float(self.options.get("settle_after_seconds", "0"))

    # --- framework hooks ---------------------------------------------------------------------------------------
    def error_response(self, status, message):
        # What sits in front of the API answers infrastructure failures, in HTML.
        return Response(status, "<html><body><h1>%d</h1><p>%s</p></body></html>" % (status, message),
                        content_type="text/html")

    def rate_limited_response(self, retry_after):
        return Response(429, "<html><body><h1>429 Too Many Requests</h1></body></html>",
                        {"Retry-After": str(retry_after)}, content_type="text/html")

    def signed_event(self, event_id, payload, url):
        body = dumps(payload).encode()
        key = self.options.get("signature_key", "")
        signature = hmac.new(key.encode("ascii"), body, hashlib.sha512).hexdigest().upper()
        return body, {"X-ANET-Signature": "sha512=" + signature, "Content-Type": "application/json"}

    def state(self):
        self.settle()
        return {
            "customer_profiles": list(self.profiles.values()),
            "payment_profiles": [dict(p, card_number=masked(p["card_number"])) for p in self.payment_profiles.values()],
            "transactions": [dict(t, amount=str(t["amount"]), refunded=str(t["refunded"]), submitted=iso(t["submitted"]),
                                  card_number=masked(t["card_number"]))
                             for t in self.transactions.values()],
        }

    # --- the endpoint ------------------------------------------------------------------------------------------
    def handle(self, request):
        if request.method != "POST" or request.path != "/xml/v1/request.api":
            return Response(404, "<html><body>Not Found</body></html>", content_type="text/html")
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type not in ("application/json", "text/json"):
            request.problems.append("Content-Type %r: this fake speaks only the JSON API" % content_type)
            return self.answer("ErrorResponse", None, [("E00002", "The content-type specified is not supported.")])
        body = request.body[3:] if request.body.startswith(BOM) else request.body
        try:
            document = json.loads(body.decode("utf-8"), object_pairs_hook=Obj)
        except (ValueError, UnicodeDecodeError) as error:
            return self.schema_error(request, None, "Unexpected character encountered while parsing value: %s" % error)
        if not isinstance(document, dict) or len(document) != 1:
            return self.schema_error(request, None, "Root element is missing.")
        (root, content), = document.items()
        ref_id = content.get("refId") if isinstance(content, dict) else None
        ref_id = text_of(ref_id)
        sequence = REQUESTS.get(root)
        if sequence is None:
            return self.schema_error(request, None, "The '%s:%s' element is not declared." % (NS, root))
        try:
            check_element(root, sequence, content)
        except SchemaError as error:
            return self.schema_error(request, ref_id if ref_id and len(ref_id) <= 20 else None, str(error))
        auth = content["merchantAuthentication"]
        if (text_of(auth.get("name")) != self.options.get("api_login_id")
                or text_of(auth.get("transactionKey")) != self.options.get("transaction_key")):
            request.problems.append("merchantAuthentication does not match the fake's credentials")
            return self.answer(root, ref_id, [("E00007", "User authentication failed due to invalid authentication "
                                                        "values.")])
        self.settle()
        operation = root[0].upper() + root[1:-len("Request")]
        return getattr(self, "op_" + operation)(request, root, ref_id, content)

    def schema_error(self, request, ref_id, text):
        request.problems.append("E00003 " + text)
        return self.answer("ErrorResponse", ref_id, [("E00003", text)])

    def answer(self, root, ref_id, messages, body=None, ok=False):
        """An ANetApiResponse: refId, messages{resultCode, message[]}, then the operation's elements."""
        content = {}
        if ref_id is not None:
            content["refId"] = ref_id
        content["messages"] = {"resultCode": "Ok" if ok else "Error",
                               "message": [{"code": code, "text": text} for code, text in messages]}
        content.update(body or {})
        return Response(200, BOM + dumps(content).encode(), content_type="application/json; charset=utf-8")

    def ok(self, root, ref_id, body=None, message=("I00001", "Successful.")):
        return self.answer(root, ref_id, [message], body, ok=True)

    # --- customer profiles ---------------------------------------------------------------------------------------
    def op_CreateCustomerProfile(self, request, root, ref_id, content):
        profile = content["profile"]
        fields = {k: text_of(profile.get(k), "") for k in ("merchantCustomerId", "description", "email")}
        if not any(fields.values()):
            return self.answer(root, ref_id, [("E00041", "One or more fields in the profile must contain a value.")])
        for existing in self.profiles.values():
            if fields["merchantCustomerId"] and existing["merchantCustomerId"] == fields["merchantCustomerId"]:
                return self.answer(root, ref_id, [("E00039", "A duplicate record with ID %s already exists."
                                                   % existing["customerProfileId"])])
        profile_id = str(next(self.profile_ids))
        self.profiles[profile_id] = dict(fields, customerProfileId=profile_id)
        payment_ids = []
        for item in self.as_list(profile.get("paymentProfiles")):
            created, error = self.new_payment_profile(profile_id, item)
            if error:
                del self.profiles[profile_id]
                return self.answer(root, ref_id, [error[:2]])
            payment_ids.append(created["customerPaymentProfileId"])
        return self.ok(root, ref_id, {"customerProfileId": profile_id, "customerPaymentProfileIdList": payment_ids,
                                      "customerShippingAddressIdList": [], "validationDirectResponseList": []})

    def op_GetCustomerProfile(self, request, root, ref_id, content):
        wanted = {k: text_of(content.get(k)) for k in ("customerProfileId", "merchantCustomerId", "email")}
        found = None
        for profile in self.profiles.values():
            if all(v is None or profile[k] == v for k, v in wanted.items()) and any(wanted.values()):
                found = profile
                break
        if found is None:
            return self.answer(root, ref_id, [("E00040", "The record cannot be found.")])
        unmask = text_of(content.get("unmaskExpirationDate")) in ("true", "1")
        payment_profiles = [self.masked_payment_profile(p, unmask, with_customer=False)
                            for p in self.payment_profiles.values() if p["customerProfileId"] == found["customerProfileId"]]
        profile = {k: found[k] for k in ("merchantCustomerId", "description", "email") if found[k]}
        profile["customerProfileId"] = found["customerProfileId"]
        if payment_profiles:
            profile["paymentProfiles"] = payment_profiles
        profile["profileType"] = "regular"
        return self.ok(root, ref_id, {"profile": profile})

    def op_CreateCustomerPaymentProfile(self, request, root, ref_id, content):
        customer_id = text_of(content["customerProfileId"])
        if customer_id not in self.profiles:
            return self.answer(root, ref_id, [("E00040", "The record cannot be found.")])
        created, error = self.new_payment_profile(customer_id, content["paymentProfile"])
        if error:
            return self.answer(root, ref_id, [error[:2]], self.duplicate_body(customer_id, error))
        mode = text_of(content.get("validationMode"), "none")
        if mode in ("testMode", "liveMode") and (created["card_number"] in DECLINING_CARDS or request.decline):
            del self.payment_profiles[created["customerPaymentProfileId"]]
            return self.answer(root, ref_id, [("E00027", "This transaction has been declined.")],
                               {"validationDirectResponse": "2,2,2,This transaction has been declined."})
        return self.ok(root, ref_id, {"customerProfileId": customer_id,
                                      "customerPaymentProfileId": created["customerPaymentProfileId"]})

    def duplicate_body(self, customer_id, error):
        # For E00039 Authorize.Net names the payment profile that already holds this card.
        if error[0] != "E00039":
            return None
        return {"customerProfileId": customer_id, "customerPaymentProfileId": error[2]}

    def new_payment_profile(self, customer_id, profile):
        """(payment profile, None) or (None, (code, text[, existing id]))."""
        payment = profile.get("payment")
        if not payment:
            return None, ("E00029", "Payment information is required.")
        if "opaqueData" in payment:
            opaque = payment["opaqueData"]
            nonce = text_of(opaque.get("dataValue"))
            match = re.match(r"^tok_([a-z]+)(_.*)?$", nonce or "")
            if (text_of(opaque.get("dataDescriptor")) != "COMMON.ACCEPT.INAPP.PAYMENT" or not match
                    or match.group(1) not in CARDS or nonce in self.used_nonces):
                return None, ("E00114", "Invalid OTS Token.")
            self.used_nonces.add(nonce)
            number, expiration, card_type = CARDS[match.group(1)]
        elif "creditCard" in payment:
            card = payment["creditCard"]
            number, expiration = text_of(card["cardNumber"]), text_of(card["expirationDate"])
            if not re.match(r"^\d{13,16}$", number) or not re.match(r"^\d{4}-\d{2}$", expiration):
                return None, ("E00013", "Credit card number or expiration date is invalid.")
            card_type = {"4": "Visa", "5": "MasterCard", "3": "AmericanExpress"}.get(number[0], "Discover")
        else:
            return None, ("E00003", "The payment type %s is not supported by this fake." % next(iter(payment)))
        for existing in self.payment_profiles.values():
            if (existing["customerProfileId"] == customer_id and existing["card_number"] == number
                    and existing["expiration"] == expiration):
                return None, ("E00039", "A duplicate customer payment profile already exists.",
                              existing["customerPaymentProfileId"])
        bill_to = profile.get("billTo") or {}
        created = {"customerPaymentProfileId": str(next(self.payment_profile_ids)), "customerProfileId": customer_id,
                   "card_number": number, "expiration": expiration, "card_type": card_type,
                   "zip": text_of(bill_to.get("zip"), "")}
        self.payment_profiles[created["customerPaymentProfileId"]] = created
        return created, None

    def masked_payment_profile(self, profile, unmask, with_customer=True):
        out = {}
        if with_customer:
            out["customerProfileId"] = profile["customerProfileId"]
        out["customerPaymentProfileId"] = profile["customerPaymentProfileId"]
        out["payment"] = {"creditCard": {"cardNumber": masked(profile["card_number"]),
                                         "expirationDate": profile["expiration"] if unmask else "XXXX",
                                         "cardType": profile["card_type"]}}
        return out

    def op_GetCustomerPaymentProfile(self, request, root, ref_id, content):
        profile = self.payment_profiles.get(text_of(content["customerPaymentProfileId"]))
        if profile is None or profile["customerProfileId"] != text_of(content["customerProfileId"]):
            return self.answer(root, ref_id, [("E00040", "The record cannot be found.")])
        unmask = text_of(content.get("unmaskExpirationDate")) in ("true", "1")
        return self.ok(root, ref_id, {"paymentProfile": self.masked_payment_profile(profile, unmask)})

    # --- transactions --------------------------------------------------------------------------------------------
    def settle(self):
        if self.settle_after < 0:
            return
        cutoff = now_utc() - datetime.timedelta(seconds=self.settle_after)
        for transaction in self.transactions.values():
            if transaction["submitted"] <= cutoff:
                if transaction["status"] == "capturedPendingSettlement":
                    transaction["status"] = "settledSuccessfully"
                elif transaction["status"] == "refundPendingSettlement":
                    transaction["status"] = "refundSettledSuccessfully"

    def transaction_answer(self, root, ref_id, code, transaction=None, error=None, approved_text=None):
        """createTransactionResponse: top-level messages plus transactionResponse in its XSD order."""
        response = {"responseCode": code, "authCode": (transaction or {}).get("authCode", ""),
                    "avsResultCode": "Y" if code == "1" else "P", "cvvResultCode": "",
                    "cavvResultCode": "", "transId": (transaction or {}).get("transId", "0"),
                    "refTransID": (transaction or {}).get("refTransId", ""), "transHash": "", "testRequest": "0",
                    "accountNumber": masked(transaction["card_number"]) if transaction else "",
                    "accountType": (transaction or {}).get("card_type", "")}
        if code == "1":
            response["messages"] = [{"code": approved_text[0] if approved_text else "1",
                                     "description": approved_text[1] if approved_text
                                     else "This transaction has been approved."}]
        else:
            response["errors"] = [{"errorCode": error[0], "errorText": error[1]}]
        if transaction and transaction.get("customerProfileId"):
            response["profile"] = {"customerProfileId": transaction["customerProfileId"],
                                   "customerPaymentProfileId": transaction["customerPaymentProfileId"]}
        if code == "1":
            return self.ok(root, ref_id, {"transactionResponse": response})
        return self.answer(root, ref_id, [("E00027", "The transaction was unsuccessful.")],
                           {"transactionResponse": response})

    def op_CreateTransaction(self, request, root, ref_id, content):
        tx = content["transactionRequest"]
        kind = text_of(tx["transactionType"])
        if kind == "authCaptureTransaction":
            return self.auth_capture(request, root, ref_id, tx)
        if kind == "refundTransaction":
            return self.refund(request, root, ref_id, tx)
        if kind == "voidTransaction":
            return self.void(request, root, ref_id, tx)
        return self.transaction_answer(root, ref_id, "3", error=("3", "%s is not supported by this fake." % kind))

    def amount_of(self, tx):
        text = text_of(tx.get("amount"))
        try:
            amount = Decimal(text) if text is not None else None
        except InvalidOperation:
            amount = None
        if amount is None or amount <= 0 or amount.as_tuple().exponent < -2:
            return None
        return amount

    def duplicate_window(self, tx):
        settings = (tx.get("transactionSettings") or {}).get("setting")
        for setting in self.as_list(settings):
            if text_of(setting.get("settingName")) == "duplicateWindow":
                try:
                    return min(int(text_of(setting.get("settingValue"))), MAX_DUPLICATE_WINDOW)
                except (TypeError, ValueError):
                    return DEFAULT_DUPLICATE_WINDOW
        return DEFAULT_DUPLICATE_WINDOW

    def find_duplicate(self, window, **fields):
        if window <= 0:
            return None
        cutoff = now_utc() - datetime.timedelta(seconds=window)
        for transaction in self.transactions.values():
            if transaction["submitted"] >= cutoff and all(transaction.get(k) == v for k, v in fields.items()):
                return transaction
        return None

    def new_transaction(self, **fields):
        transaction = dict(fields, transId=str(next(self.transaction_ids)), submitted=now_utc(), refunded=Decimal(0),
                           authCode="".join(uuid.uuid4().hex[:6]).upper())
        self.transactions[transaction["transId"]] = transaction
        return transaction

    def auth_capture(self, request, root, ref_id, tx):
        amount = self.amount_of(tx)
        if amount is None:
            return self.transaction_answer(root, ref_id, "3", error=("5", "A valid amount is required."))
        currency = text_of(tx.get("currencyCode"), self.currency)
        if currency != self.currency:
            return self.transaction_answer(root, ref_id, "3", error=(
                "39", "The supplied currency code is either invalid, not supported, not allowed for this merchant or "
                      "doesn't have an exchange rate."))
        profile = tx.get("profile")
        customer_id = payment_id = None
        if profile:
            customer_id = text_of(profile.get("customerProfileId"))
            payment_id = text_of((profile.get("paymentProfile") or {}).get("paymentProfileId"))
            stored = self.payment_profiles.get(payment_id)
            if stored is None or stored["customerProfileId"] != customer_id:
                return self.answer(root, ref_id, [("E00040", "Customer Profile ID or Customer Payment Profile ID "
                                                             "not found.")])
            number, card_type, zip_code = stored["card_number"], stored["card_type"], stored["zip"]
        elif tx.get("payment") and "creditCard" in tx["payment"]:
            card = tx["payment"]["creditCard"]
            number = text_of(card["cardNumber"])
            card_type, zip_code = "Visa", text_of((tx.get("billTo") or {}).get("zip"), "")
        else:
            return self.transaction_answer(root, ref_id, "3", error=("33", "Credit card number is required."))
        order = tx.get("order") or {}
        invoice = text_of(order.get("invoiceNumber"), "")
        duplicate = self.find_duplicate(self.duplicate_window(tx), type="authCaptureTransaction", amount=amount,
                                        card_number=number, invoice=invoice, customerProfileId=customer_id,
                                        customerPaymentProfileId=payment_id)
        if duplicate:
            return self.transaction_answer(root, ref_id, "3", error=("11", "A duplicate transaction has been "
                                                                           "submitted."))
        declined = request.decline or number in DECLINING_CARDS or (tx.get("billTo") or {}).get("zip") == "46282" \
            or zip_code == "46282"
        transaction = self.new_transaction(
            type="authCaptureTransaction", amount=amount, currency=currency, invoice=invoice,
            description=text_of(order.get("description"), ""), card_number=number, card_type=card_type,
            customerProfileId=customer_id, customerPaymentProfileId=payment_id, refId=ref_id,
            status="declined" if declined else "capturedPendingSettlement",
            responseCode=2 if declined else 1, reasonCode=2 if declined else 1,
            reasonText="This transaction has been declined." if declined else "This transaction has been approved.")
        self.settle()
        self.notify("net.authorize.payment.authcapture.created", transaction)
        if declined:
            return self.transaction_answer(root, ref_id, "2", transaction, ("2", "This transaction has been declined."))
        return self.transaction_answer(root, ref_id, "1", transaction)

    def refund(self, request, root, ref_id, tx):
        amount = self.amount_of(tx)
        if amount is None:
            return self.transaction_answer(root, ref_id, "3", error=("5", "A valid amount is required."))
        original = self.transactions.get(text_of(tx.get("refTransId"), ""))
        if not tx.get("refTransId"):
            return self.transaction_answer(root, ref_id, "3", error=("33", "refTransId cannot be left blank."))
        if original is None or original["type"] != "authCaptureTransaction":
            return self.transaction_answer(root, ref_id, "3", error=("16", "The transaction cannot be found."))
        not_creditable = ("54", "The referenced transaction does not meet the criteria for issuing a credit.")
        profile, payment = tx.get("profile"), tx.get("payment")
        if profile:
            if (text_of(profile.get("customerProfileId")) != original["customerProfileId"]
                    or text_of((profile.get("paymentProfile") or {}).get("paymentProfileId"))
                    != original["customerPaymentProfileId"]):
                return self.transaction_answer(root, ref_id, "3", error=not_creditable)
        elif payment and "creditCard" in payment:
            given = text_of(payment["creditCard"]["cardNumber"])
            if given[-4:] != original["card_number"][-4:]:
                return self.transaction_answer(root, ref_id, "3", error=not_creditable)
        else:
            return self.transaction_answer(root, ref_id, "3", error=("33", "Credit card number is required."))
        if original["status"] != "settledSuccessfully":
            return self.transaction_answer(root, ref_id, "3", error=not_creditable)
        order = tx.get("order") or {}
        invoice = text_of(order.get("invoiceNumber"), "")
        duplicate = self.find_duplicate(self.duplicate_window(tx), type="refundTransaction", amount=amount,
                                        refTransId=original["transId"], invoice=invoice)
        if duplicate:
            return self.transaction_answer(root, ref_id, "3", error=("11", "A duplicate transaction has been "
                                                                           "submitted."))
        if original["refunded"] + amount > original["amount"]:
            return self.transaction_answer(root, ref_id, "3", error=(
                "55", "The sum of credits against the referenced transaction would exceed original debit amount."))
        original["refunded"] += amount
        transaction = self.new_transaction(
            type="refundTransaction", amount=amount, currency=original["currency"], invoice=invoice,
            description=text_of(order.get("description"), ""), card_number=original["card_number"],
            card_type=original["card_type"], customerProfileId=original["customerProfileId"],
            customerPaymentProfileId=original["customerPaymentProfileId"], refTransId=original["transId"],
            refId=ref_id, status="refundPendingSettlement", responseCode=1, reasonCode=1,
            reasonText="This transaction has been approved.")
        self.settle()
        self.notify("net.authorize.payment.refund.created", transaction)
        return self.transaction_answer(root, ref_id, "1", transaction)

    def void(self, request, root, ref_id, tx):
        original = self.transactions.get(text_of(tx.get("refTransId"), ""))
        if original is None:
            return self.transaction_answer(root, ref_id, "3", error=("16", "The transaction cannot be found."))
        if original["status"] == "voided":
            return self.transaction_answer(root, ref_id, "1", original,
                                           approved_text=("310", "This transaction has already been voided."))
        if original["status"] not in ("capturedPendingSettlement", "authorizedPendingCapture"):
            return self.transaction_answer(root, ref_id, "3", error=("16", "The transaction cannot be found."))
        original["status"] = "voided"
        self.notify("net.authorize.payment.void.created", original)
        return self.transaction_answer(root, ref_id, "1", original)

    def notify(self, event_type, transaction):
        notification_id = str(uuid.uuid4())
        payload = {"responseCode": transaction["responseCode"], "authCode": transaction["authCode"],
                   "avsResponse": "Y", "authAmount": Dec(transaction["amount"])}
        if transaction["invoice"]:
            payload["invoiceNumber"] = transaction["invoice"]
        payload["entityName"] = "transaction"
        payload["id"] = transaction["transId"]
        self.emit(notification_id, {"notificationId": notification_id, "eventType": event_type,
                                    "eventDate": iso(now_utc()), "webhookId": "63d6fea2-aa13-4b1d-a204-f5fbc15942b7",
                                    "payload": payload})

    # --- reporting -----------------------------------------------------------------------------------------------
    def op_GetTransactionDetails(self, request, root, ref_id, content):
        t = self.transactions.get(text_of(content["transId"]))
        if t is None:
            return self.answer(root, ref_id, [("E00040", "The record cannot be found.")])
        transaction = {"transId": t["transId"]}
        if t.get("refTransId"):
            transaction["refTransId"] = t["refTransId"]
        transaction.update({
            "submitTimeUTC": iso(t["submitted"]), "submitTimeLocal": t["submitted"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
            "transactionType": t["type"], "transactionStatus": t["status"], "responseCode": t["responseCode"],
            "responseReasonCode": t["reasonCode"], "responseReasonDescription": t["reasonText"],
            "authCode": t["authCode"], "AVSResponse": "Y",
        })
        if t["invoice"] or t["description"]:
            transaction["order"] = {k: v for k, v in (("invoiceNumber", t["invoice"]),
                                                      ("description", t["description"])) if v}
        settled = t["amount"] if t["status"] not in ("declined", "voided") else Decimal(0)
        transaction.update({"authAmount": Dec(t["amount"]), "settleAmount": Dec(settled), "taxExempt": False,
                            "payment": {"creditCard": {"cardNumber": masked(t["card_number"]),
                                                       "expirationDate": "XXXX", "cardType": t["card_type"]}},
                            "recurringBilling": False, "product": "Card Not Present", "marketType": "eCommerce"})
        if t.get("customerProfileId"):
            transaction["profile"] = {"customerProfileId": t["customerProfileId"],
                                      "customerPaymentProfileId": t["customerPaymentProfileId"]}
        return self.ok(root, ref_id, {"transaction": transaction})

    def op_GetTransactionListForCustomer(self, request, root, ref_id, content):
        customer_id = text_of(content["customerProfileId"])
        if customer_id not in self.profiles:
            return self.answer(root, ref_id, [("E00040", "The record cannot be found.")])
        payment_id = text_of(content.get("customerPaymentProfileId"))
        chosen = [t for t in self.transactions.values() if t.get("customerProfileId") == customer_id
                  and (payment_id is None or t.get("customerPaymentProfileId") == payment_id)]
        sorting = content.get("sorting") or {}
        chosen.sort(key=lambda t: (t["submitted"], int(t["transId"])),
                    reverse=text_of(sorting.get("orderDescending")) in ("true", "1"))
        paging = content.get("paging") or {}
        limit, offset = int(text_of(paging.get("limit"), "1000")), int(text_of(paging.get("offset"), "1"))
        if not 1 <= limit <= 1000 or not 1 <= offset <= 100000:
            return self.answer(root, ref_id, [("E00104", "Paging Offset or Limit is out of range.")])
        page = chosen[(offset - 1) * limit: offset * limit]
        if not page:
            return self.ok(root, ref_id, {"totalNumInResultSet": 0}, message=("I00004", "No records found."))
        summaries = []
        for t in page:
            summary = {"transId": t["transId"], "submitTimeUTC": iso(t["submitted"]),
                       "submitTimeLocal": t["submitted"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                       "transactionStatus": t["status"]}
            if t["invoice"]:
                summary["invoiceNumber"] = t["invoice"]
            summary.update({"accountType": t["card_type"], "accountNumber": masked(t["card_number"]),
                            "settleAmount": Dec(t["amount"] if t["status"] not in ("declined", "voided") else 0),
                            "marketType": "eCommerce", "product": "Card Not Present",
                            "profile": {"customerProfileId": t["customerProfileId"],
                                        "customerPaymentProfileId": t["customerPaymentProfileId"]}})
            summaries.append(summary)
        return self.ok(root, ref_id, {"transactions": summaries, "totalNumInResultSet": len(chosen)})

    @staticmethod
    def as_list(value):
        if value is None:
            return []
        return value if isinstance(value, list) else [value]
