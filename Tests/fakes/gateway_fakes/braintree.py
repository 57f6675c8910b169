"""Braintree GraphQL fake (POST /graphql).

Options: merchant_id, public_key, private_key (Basic public_key:private_key on every call; the webhook signing
keys), currency (the default merchant account's currency, default USD), merchant_accounts ("USD=acct1,EUR=acct2":
extra merchant accounts and their currencies).

Braintree's schema may not be redistributed, so requests are checked against the documented wire rules by hand
(gateways reference §3): the headers (Basic auth, `Braintree-Version: YYYY-MM-DD`, JSON), a `{query, variables,
operationName?}` body whose query graphql-core parses into exactly one operation, the operation's single
`input: $input` argument with the documented input type, every input field by name and type (unknown fields
refused, `Amount` a string that is a whole number or has exactly two or three decimals), and every selected field
against the fields of the object types this fake models. A request that breaks a rule is answered as Braintree
answers it (`errors` with `extensions.errorClass` VALIDATION) and recorded with its problems.

Idempotency: the documented `apiRequestKey` on ChargePaymentMethodInput and RefundTransactionInput (absent from the
published SDL - a documented divergence this fake follows the API reference on): a repeat with the same input
returns the first result, with a different input a VALIDATION error with legacyCode 915231.

Test nonces: Braintree's sandbox nonces `fake-valid-nonce`, `fake-valid-visa-nonce`, `fake-valid-mastercard-nonce`
and `fake-paypal-billing-agreement-nonce` are accepted (reusable, as in the sandbox). Amounts 2000.00-2999.99 are
processor-declined with that code, as in the sandbox; a "decline" fault declines with 2000 (Do Not Honor).
Transactions are SUBMITTED_FOR_SETTLEMENT when charged and settle (SETTLED, webhook `transaction_settled`) before
the next request, so refunds (which Braintree allows only on settled transactions) work in tests.

Webhooks: form fields bt_signature = `public_key|hex(HMAC-SHA1(SHA1(private_key), bt_payload))` and bt_payload =
base64 of the notification XML, as braintree_python's WebhookTestingGateway builds them.
"""
import base64
import copy
import datetime
import hashlib
import hmac
import json
import re
import secrets
from urllib.parse import urlencode

from graphql import parse, GraphQLError
from graphql.language import ast

from .server import Response, VendorApp

AMOUNT = re.compile(r"^\d+(\.\d{2,3})?$")
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEST_NONCES = {
    "fake-valid-nonce": ("VISA", "1881", "12", "2030"),
    "fake-valid-visa-nonce": ("VISA", "1111", "12", "2030"),
    "fake-valid-mastercard-nonce": ("MASTERCARD", "4444", "12", "2030"),
    "fake-paypal-billing-agreement-nonce": None,
}

# Input types: field -> (type, required). Nested input types are named by string.
INPUTS = {
    "CreateCustomerInput": {"clientMutationId": ("String", False), "customer": ("CustomerInput", False)},
    "CustomerInput": {k: ("String", False) for k in ("company", "email", "firstName", "lastName", "phoneNumber",
                                                     "fax", "website")} | {"customFields": ("[CustomFieldInput]", False)},
    "CustomFieldInput": {"name": ("String", True), "value": ("String", False)},
    "VaultPaymentMethodInput": {"clientMutationId": ("String", False), "paymentMethodId": ("ID", True),
                                "customerId": ("ID", False), "verification": ("VerificationInput", False),
                                "makeDefault": ("Boolean", False), "threeDSecureAuthenticationId": ("String", False)},
    "VerificationInput": {"merchantAccountId": ("ID", False), "skip": ("Boolean", False)},
    "ChargePaymentMethodInput": {"clientMutationId": ("String", False), "paymentMethodId": ("ID", True),
                                 "transaction": ("TransactionInput", True), "apiRequestKey": ("String", False)},
    "TransactionInput": {"amount": ("Amount", True), "merchantAccountId": ("ID", False), "orderId": ("String", False),
                         "customerId": ("ID", False), "purchaseOrderNumber": ("String", False),
                         "paymentInitiator": ("PaymentInitiator", False), "channel": ("String", False),
                         "customFields": ("[CustomFieldInput]", False), "descriptor": ("TransactionDescriptorInput", False)},
    "TransactionDescriptorInput": {"name": ("String", False), "phone": ("String", False), "url": ("String", False)},
    "RefundTransactionInput": {"clientMutationId": ("String", False), "transactionId": ("ID", True),
                               "refund": ("RefundInput", False), "apiRequestKey": ("String", False)},
    "RefundInput": {"amount": ("Amount", False), "orderId": ("String", False), "merchantAccountId": ("ID", False),
                    "description": ("String", False)},
}
ENUMS = {"PaymentInitiator": {"RECURRING", "RECURRING_FIRST", "UNSCHEDULED", "INSTALLMENT", "INSTALLMENT_FIRST",
                              "ESTIMATED", "MOTO"}}
MUTATIONS = {"createCustomer": "CreateCustomerInput", "vaultPaymentMethod": "VaultPaymentMethodInput!",
             "chargePaymentMethod": "ChargePaymentMethodInput!", "refundTransaction": "RefundTransactionInput!"}

# Fields each modelled output type has (a subset of the schema's; selecting anything else is refused).
FIELDS = {
    "CreateCustomerPayload": {"clientMutationId", "customer"},
    "Customer": {"id", "legacyId", "email", "company", "firstName", "lastName", "createdAt"},
    "VaultPaymentMethodPayload": {"clientMutationId", "paymentMethod", "verification"},
    "Verification": {"id", "status"},
    "PaymentMethod": {"id", "legacyId", "usage", "details", "customer", "createdAt"},
    "CreditCardDetails": {"brandCode", "last4", "expirationMonth", "expirationYear", "bin", "cardholderName"},
    "PayPalAccountDetails": {"email", "payerId"},
    "TransactionPayload": {"clientMutationId", "transaction"},
    "Transaction": {"id", "legacyId", "status", "amount", "orderId", "createdAt", "paymentMethod", "customer",
                    "processorResponse", "gatewayRejectionReason", "refunds", "merchantAccountId"},
    "MonetaryAmount": {"value", "currencyCode"},
    "TransactionAuthorizationResponse": {"legacyCode", "message", "cvvResponse", "avsPostalCodeResponse"},
    "RefundTransactionPayload": {"clientMutationId", "refund"},
    "Refund": {"id", "legacyId", "status", "amount", "orderId", "createdAt", "refundedTransaction"},
    "Query": {"node", "ping"},
}


def global_id(kind, legacy):
    return base64.b64encode(("%s_%s" % (kind, legacy)).encode()).decode()


def from_global(gid):
    try:
        kind, _, legacy = base64.b64decode(gid, validate=True).decode().partition("_")
        return kind, legacy
    except Exception:
        return None, None


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def to_units(text):
    whole, _, fraction = text.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2]) if len(fraction) <= 2 or fraction[2:] == "0" else None


def to_value(units):
    return "%d.%02d" % divmod(units, 100)


def gql_error(message, error_class="VALIDATION", legacy_code=None, path=None, input_path=None):
    extensions = {"errorClass": error_class, "requestId": secrets.token_hex(16)}
    if legacy_code:
        extensions["legacyCode"] = legacy_code
    if input_path:
        extensions["inputPath"] = input_path
    error = {"message": message, "locations": [{"line": 1, "column": 1}], "extensions": extensions}
    if path:
        error["path"] = path
    return error


class Invalid(Exception):
    pass


class Vendor(VendorApp):
    name = "braintree"

    def reset(self):
        self.customers = {}
        self.payment_methods = {}
        self.transactions = {}
        self.replays = {}           # apiRequestKey -> (operation, input digest, response body)
        self.pending_settlement = []

    # --- framework hooks ---------------------------------------------------------------------------------------
    def error_response(self, status, message):
        error_class = {401: "AUTHENTICATION", 403: "AUTHORIZATION", 404: "NOT_FOUND", 429: "RESOURCE_LIMIT",
                       503: "SERVICE_AVAILABILITY"}.get(status, "INTERNAL" if status >= 500 else "VALIDATION")
        return Response(status, {"errors": [gql_error("An unexpected error occurred." if status >= 500 else message,
                                                      error_class)]})

    def rate_limited_response(self, retry_after):
        return Response(429, {"errors": [gql_error("Too many requests", "RESOURCE_LIMIT")]},
                        {"Retry-After": str(retry_after)})

    def signed_event(self, event_id, payload, url):
        bt_payload = base64.encodebytes(payload.encode()).decode()      # with "\n" every 76 characters, as the SDK
        key = hashlib.sha1(self.options.get("private_key", "").encode()).digest()
        signature = hmac.new(key, bt_payload.encode(), hashlib.sha1).hexdigest()
        body = urlencode({"bt_signature": "%s|%s" % (self.options.get("public_key", ""), signature),
                          "bt_payload": bt_payload}).encode()
        return body, {"Content-Type": "application/x-www-form-urlencoded"}

    # --- request checks ----------------------------------------------------------------------------------------
    def handle(self, request):
        self.settle()
        if request.method != "POST" or request.path != "/graphql":
            request.problems.append("Braintree's GraphQL API is POST /graphql only")
            return Response(404, {"errors": [gql_error("Not found", "NOT_FOUND")]})
        expected = base64.b64encode(("%s:%s" % (self.options.get("public_key", ""),
                                                self.options.get("private_key", ""))).encode()).decode()
        if (request.header("authorization") or "") != "Basic " + expected:
            request.problems.append("Authorization is not Basic public_key:private_key")
            return Response(401, {"errors": [gql_error("Authentication credentials are invalid", "AUTHENTICATION")]})
        version = request.header("braintree-version") or ""
        if not VERSION.match(version):
            request.problems.append("Braintree-Version header missing or not YYYY-MM-DD")
            return Response(400, {"errors": [gql_error("Braintree-Version header is missing or invalid",
                                                       "UNSUPPORTED_CLIENT")]})
        if (request.header("content-type") or "").split(";")[0].strip() != "application/json":
            request.problems.append("Content-Type must be application/json")
            return Response(415, {"errors": [gql_error("Content-Type must be application/json")]})
        try:
            body = request.json()
            if not isinstance(body, dict) or not isinstance(body.get("query"), str):
                raise Invalid("the body must be {query, variables}")
            unknown = set(body) - {"query", "variables", "operationName"}
            if unknown:
                raise Invalid("unknown body members %s" % sorted(unknown))
            variables = body.get("variables") or {}
            document = parse(body["query"])
            operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinitionNode)]
            if len(operations) != 1 or len(document.definitions) != 1:
                raise Invalid("send exactly one operation and no fragments definitions")
            operation = operations[0]
            if body.get("operationName") not in (None, operation.name and operation.name.value):
                raise Invalid("operationName does not name the operation")
            selections = operation.selection_set.selections
            if len(selections) != 1 or not isinstance(selections[0], ast.FieldNode):
                raise Invalid("one root field per request")
            root = selections[0]
            declared = {d.variable.name.value: self.type_text(d.type) for d in operation.variable_definitions}
            undeclared = set(variables) - set(declared)
            if undeclared:
                raise Invalid("variables %s are not declared" % sorted(undeclared))
            if operation.operation == ast.OperationType.MUTATION:
                return self.mutation(request, root, declared, variables)
            if operation.operation == ast.OperationType.QUERY:
                return self.query(request, root, declared, variables)
            raise Invalid("subscriptions are not supported")
        except GraphQLError as error:
            request.problems.append("query does not parse: %s" % error.message)
            return Response(200, {"errors": [gql_error(error.message)]})
        except (Invalid, ValueError) as error:
            request.problems.append(str(error))
            return Response(200, {"errors": [gql_error(str(error))]})

    @staticmethod
    def type_text(node):
        if isinstance(node, ast.NonNullTypeNode):
            return Vendor.type_text(node.type) + "!"
        if isinstance(node, ast.ListTypeNode):
            return "[" + Vendor.type_text(node.type) + "]"
        return node.name.value

    def argument(self, field, name, declared, variables, expected_type):
        arguments = {a.name.value: a.value for a in field.arguments}
        if set(arguments) != {name}:
            raise Invalid("%s takes the single argument %s" % (field.name.value, name))
        value = arguments[name]
        if not isinstance(value, ast.VariableNode):
            raise Invalid("pass %s as a variable" % name)
        variable = value.name.value
        if declared.get(variable) not in (expected_type, expected_type.rstrip("!") + "!"):
            raise Invalid("variable $%s must be declared as %s, not %s" % (variable, expected_type,
                                                                          declared.get(variable)))
        if variable not in variables:
            if expected_type.endswith("!"):
                raise Invalid("variable $%s of type %s was not provided" % (variable, expected_type))
            return None
        return variables[variable]

    def check_input(self, type_name, value, path):
        """Coerce-check a variable value the way a GraphQL server does for input types."""
        required = type_name.endswith("!")
        base = type_name.rstrip("!")
        location = ".".join(path)
        if value is None:
            if required:
                raise Invalid("%s: a value of type %s is required" % (location, type_name))
            return
        if base.startswith("["):
            if not isinstance(value, list):
                raise Invalid("%s: expected a list" % location)
            for i, item in enumerate(value):
                self.check_input(base[1:-1], item, path + [str(i)])
            return
        if base in INPUTS:
            if not isinstance(value, dict):
                raise Invalid("%s: expected an object of type %s" % (location, base))
            fields = INPUTS[base]
            for key in value:
                if key not in fields:
                    raise Invalid("%s: field '%s' is not defined by type '%s'" % (location, key, base))
            for key, (field_type, field_required) in fields.items():
                self.check_input(field_type + ("!" if field_required else ""), value.get(key), path + [key])
            return
        if base == "Amount":
            if not isinstance(value, str) or not AMOUNT.match(value):
                raise Invalid("%s: Amount must be a string with no or exactly two or three decimals, not %r"
                              % (location, value))
        elif base in ENUMS:
            if value not in ENUMS[base]:
                raise Invalid("%s: %r is not a %s" % (location, value, base))
        elif base == "Boolean":
            if not isinstance(value, bool):
                raise Invalid("%s: expected a Boolean" % location)
        elif not isinstance(value, str):
            raise Invalid("%s: expected a %s string" % (location, base))

    # --- selection projection ----------------------------------------------------------------------------------
    def project(self, type_name, obj, selection_set, path):
        if selection_set is None:
            raise Invalid("%s: field of type %s needs a selection" % (".".join(path), type_name))
        result = {}
        for selection in selection_set.selections:
            if isinstance(selection, ast.InlineFragmentNode):
                condition = selection.type_condition.name.value
                if condition == type_name or condition == "Node" or (
                        condition == "PaymentMethodDetails" and type_name.endswith("Details")):
                    result.update(self.project(type_name, obj, selection.selection_set, path))
                elif condition not in FIELDS:
                    raise Invalid("%s: unknown type %s in fragment" % (".".join(path), condition))
                continue
            if not isinstance(selection, ast.FieldNode):
                raise Invalid("named fragments are not supported")
            name = selection.name.value
            alias = selection.alias.value if selection.alias else name
            if name == "__typename":
                result[alias] = type_name
                continue
            if name not in FIELDS.get(type_name, ()):
                raise Invalid("Field '%s' in type '%s' is undefined" % (name, type_name))
            value = obj.get(name)
            if isinstance(value, dict) and "__typename" in value:
                result[alias] = self.project(value["__typename"], value, selection.selection_set, path + [name])
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                result[alias] = [self.project(v["__typename"], v, selection.selection_set, path + [name]) for v in value]
            else:
                if selection.selection_set is not None and value is not None:
                    raise Invalid("%s is a scalar and takes no selection" % name)
                result[alias] = value
        return result

    # --- operations --------------------------------------------------------------------------------------------
    def mutation(self, request, root, declared, variables):
        name = root.name.value
        if name not in MUTATIONS:
            raise Invalid("mutation %s is not modelled by this fake" % name)
        value = self.argument(root, "input", declared, variables, MUTATIONS[name])
        self.check_input(MUTATIONS[name], value, ["input"])
        value = value or {}
        key = value.get("apiRequestKey")
        if key is not None:
            digest = hashlib.sha256(json.dumps({k: v for k, v in value.items() if k != "clientMutationId"},
                                               sort_keys=True).encode()).hexdigest()
            stored = self.replays.get(key)
            if stored is not None:
                if stored[:2] != (name, digest):
                    return Response(200, {"data": {name: None}, "errors": [gql_error(
                        "apiRequestKey has already been used with different request parameters", "VALIDATION",
                        "915231", [name], ["input", "apiRequestKey"])]})
                # Replay: the stored object (its current state) projected through this request's selection.
                payload_type, obj = stored[2]
                return self.answer(name, payload_type, obj, root)
        # A selection error refuses the whole request, so nothing the mutation did may remain.
        snapshot = copy.deepcopy((self.customers, self.payment_methods, self.transactions, self.pending_settlement,
                                  self.replays))
        try:
            result = getattr(self, "do_" + name)(request, value)
            if isinstance(result, Response):
                return result
            payload_type, obj = result
            if key is not None:
                self.replays[key] = (name, digest, (payload_type, obj))
            return self.answer(name, payload_type, obj, root)
        except Invalid:
            (self.customers, self.payment_methods, self.transactions, self.pending_settlement,
             self.replays) = snapshot
            raise

    def answer(self, name, payload_type, obj, root):
        # Processor declines are reported through the transaction's status and processorResponse, not `errors`.
        return Response(200, {"data": {name: self.project(payload_type, obj, root.selection_set, [name])}})

    def query(self, request, root, declared, variables):
        name = root.name.value
        if name == "ping":
            return Response(200, {"data": {"ping": "pong"}})
        if name != "node":
            raise Invalid("query %s is not modelled by this fake" % name)
        gid = self.argument(root, "id", declared, variables, "ID!")
        obj = self.lookup(gid)
        if obj is None:
            return Response(200, {"data": {"node": None}, "errors": [gql_error(
                "An object with this ID was not found.", "NOT_FOUND", path=["node"])]})
        return Response(200, {"data": {"node": self.project(obj["__typename"], obj, root.selection_set, ["node"])}})

    def lookup(self, gid):
        kind, legacy = from_global(gid or "")
        if kind == "transaction":
            return self.transactions.get(gid)
        if kind and kind.startswith("paymentmethod"):
            return self.payment_methods.get(gid)
        if kind == "customer":
            return self.customers.get(gid)
        return None

    def do_createCustomer(self, request, value):
        customer = dict(value.get("customer") or {})
        customer.pop("customFields", None)
        legacy = str(secrets.randbelow(10 ** 9))
        customer.update({"__typename": "Customer", "id": global_id("customer", legacy), "legacyId": legacy,
                         "createdAt": now_text()})
        self.customers[customer["id"]] = customer
        return "CreateCustomerPayload", {"clientMutationId": value.get("clientMutationId"), "customer": customer}

    def do_vaultPaymentMethod(self, request, value):
        nonce = value["paymentMethodId"]
        if nonce not in TEST_NONCES:
            return self.validation("vaultPaymentMethod", "Unknown or expired payment method ID.", "91565",
                                   ["input", "paymentMethodId"])
        customer = value.get("customerId")
        if customer is not None and customer not in self.customers:
            return self.validation("vaultPaymentMethod", "Customer ID is invalid.", "91510", ["input", "customerId"])
        token = secrets.token_hex(4)
        card = TEST_NONCES[nonce]
        if card is None:
            details = {"__typename": "PayPalAccountDetails", "email": "payer@example.com", "payerId": "PAYER1"}
            gid = global_id("paymentmethod", "pp_" + token)
        else:
            details = {"__typename": "CreditCardDetails", "brandCode": card[0], "last4": card[1],
                       "expirationMonth": card[2], "expirationYear": card[3], "bin": "411111", "cardholderName": None}
            gid = global_id("paymentmethod", "cc_" + token)
        method = {"__typename": "PaymentMethod", "id": gid, "legacyId": token, "usage": "MULTI_USE",
                  "details": details, "customer": self.customers.get(customer), "createdAt": now_text()}
        self.payment_methods[gid] = method
        verification = {"__typename": "Verification", "id": global_id("verification", token), "status": "VERIFIED"}
        return "VaultPaymentMethodPayload", {"clientMutationId": value.get("clientMutationId"), "paymentMethod": method,
                                             "verification": verification}

    def validation(self, name, message, code, input_path):
        return Response(200, {"data": {name: None}, "errors": [gql_error(message, "VALIDATION", code, [name],
                                                                          input_path)]})

    def merchant_account(self, account_id):
        accounts = {"default": self.options.get("currency", "USD")}
        for pair in filter(None, self.options.get("merchant_accounts", "").split(",")):
            currency, _, account = pair.partition("=")
            accounts[account] = currency
        if account_id is None:
            return "default", accounts["default"]
        return (account_id, accounts[account_id]) if account_id in accounts else (None, None)

    def do_chargePaymentMethod(self, request, value):
        method = self.payment_methods.get(value["paymentMethodId"])
        if method is None:
            return self.validation("chargePaymentMethod", "Unknown or expired payment method ID.", "91565",
                                   ["input", "paymentMethodId"])
        transaction_input = value["transaction"]
        account, currency = self.merchant_account(transaction_input.get("merchantAccountId"))
        if account is None:
            return self.validation("chargePaymentMethod", "Merchant account ID is invalid.", "91513",
                                   ["input", "transaction", "merchantAccountId"])
        units = to_units(transaction_input["amount"])
        if units is None or units <= 0:
            return self.validation("chargePaymentMethod", "Amount is an invalid format.", "81503",
                                   ["input", "transaction", "amount"])
        legacy = secrets.token_hex(4)
        declined = request.decline or 200000 <= units < 300000
        code = "2000" if request.decline else str(units // 100)
        transaction = {"__typename": "Transaction", "id": global_id("transaction", legacy), "legacyId": legacy,
                       "type": "sale", "status": "PROCESSOR_DECLINED" if declined else "SUBMITTED_FOR_SETTLEMENT",
                       "amount": {"__typename": "MonetaryAmount", "value": transaction_input["amount"],
                                  "currencyCode": currency},
                       "units": units, "refunded_units": 0, "merchantAccountId": account,
                       "orderId": transaction_input.get("orderId"), "createdAt": now_text(), "paymentMethod": method,
                       "customer": method.get("customer"), "refunds": [],
                       "processorResponse": {"__typename": "TransactionAuthorizationResponse",
                                             "legacyCode": code if declined else "1000",
                                             "message": ("Do Not Honor" if code == "2000" else "Processor Declined")
                                             if declined else "Approved"}}
        self.transactions[transaction["id"]] = transaction
        if not declined:
            self.pending_settlement.append(transaction["id"])
        return "TransactionPayload", {"clientMutationId": value.get("clientMutationId"), "transaction": transaction}

    def do_refundTransaction(self, request, value):
        transaction = self.transactions.get(value["transactionId"])
        if transaction is None or transaction["type"] != "sale":
            return Response(200, {"data": {"refundTransaction": None}, "errors": [gql_error(
                "An object with this ID was not found.", "NOT_FOUND", path=["refundTransaction"],
                input_path=["input", "transactionId"])]})
        if transaction["status"] not in ("SETTLED", "SETTLING"):
            return self.validation("refundTransaction", "Cannot refund a transaction unless it is settled.", "91506",
                                   ["input", "transactionId"])
        refund_input = value.get("refund") or {}
        remaining = transaction["units"] - transaction["refunded_units"]
        units = to_units(refund_input["amount"]) if refund_input.get("amount") else remaining
        if units is None or units <= 0:
            return self.validation("refundTransaction", "Amount is an invalid format.", "81503",
                                   ["input", "refund", "amount"])
        if remaining == 0:
            return self.validation("refundTransaction", "Transaction has already been fully refunded.", "91512",
                                   ["input", "transactionId"])
        if units > remaining:
            return self.validation("refundTransaction", "Refund amount is too large.", "91521",
                                   ["input", "refund", "amount"])
        transaction["refunded_units"] += units
        legacy = secrets.token_hex(4)
        refund = {"__typename": "Refund", "id": global_id("transaction", legacy), "legacyId": legacy, "type": "credit",
                  "status": "SUBMITTED_FOR_SETTLEMENT", "units": units,
                  "amount": {"__typename": "MonetaryAmount", "value": to_value(units),
                             "currencyCode": transaction["amount"]["currencyCode"]},
                  "orderId": refund_input.get("orderId"), "createdAt": now_text(), "refundedTransaction": transaction}
        transaction["refunds"].append(refund)
        self.transactions[refund["id"]] = refund
        self.pending_settlement.append(refund["id"])
        return "RefundTransactionPayload", {"clientMutationId": value.get("clientMutationId"), "refund": refund}

    # --- settlement and webhooks -------------------------------------------------------------------------------
    def settle(self):
        """Settle what was submitted since the last request (the sandbox does this in a batch; tests cannot wait)."""
        pending, self.pending_settlement = self.pending_settlement, []
        for gid in pending:
            transaction = self.transactions[gid]
            transaction["status"] = "SETTLED"
            self.emit_notification("transaction_settled", transaction)

    def emit_notification(self, kind, transaction):
        timestamp = now_text()
        original = transaction.get("refundedTransaction")
        fields = [("id", transaction["legacyId"]), ("type", transaction["type"]),
                  ("amount", transaction["amount"]["value"]),
                  ("currency-iso-code", transaction["amount"]["currencyCode"]),
                  ("order-id", transaction.get("orderId") or ""), ("status", transaction["status"].lower()),
                  ("refunded-transaction-id", original["legacyId"] if original else "")]
        inner = "".join("<%s>%s</%s>" % (k, self.escape(v), k) if v else '<%s nil="true"/>' % k for k, v in fields)
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<notification><kind>%s</kind>'
               '<timestamp type="datetime">%s</timestamp><subject><transaction>%s</transaction></subject>'
               '</notification>\n') % (kind, timestamp, inner)
        self.emit("%s|%s|%s" % (kind, timestamp, transaction["legacyId"]), xml)

    @staticmethod
    def escape(text):
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def state(self):
        def plain(transaction):
            result = {k: v for k, v in transaction.items() if k not in ("paymentMethod", "customer",
                                                                         "refundedTransaction", "refunds")}
            result["refunds"] = [r["id"] for r in transaction.get("refunds", [])]
            return result
        return {"customers": list(self.customers.values()),
                "payment_methods": [{k: v for k, v in m.items() if k != "customer"} for m in self.payment_methods.values()],
                "transactions": [plain(t) for t in self.transactions.values()]}
