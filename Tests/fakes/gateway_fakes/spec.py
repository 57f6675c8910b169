"""Checks a request against a vendor's published OpenAPI document, the way the vendor's own API front door would.

JSON bodies are validated as sent. Form bodies (Stripe) are decoded from bracket notation (`a[b][0]=x`) into nested
objects and their strings coerced to the types the schema asks for, since form encoding carries only strings.
"""
import json
import os
import pickle
import re
import tempfile
import threading
from urllib.parse import parse_qsl

import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator

SPECS = os.environ.get("TOLLGATE_GATEWAY_SPECS") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "..", "shared", "specs")

_cache = {}
_cache_lock = threading.Lock()


def load(relative_path):
    """The parsed spec, cached in memory and (for the slow YAML files) as a pickle in the temp directory."""
    path = os.path.realpath(os.path.join(SPECS, relative_path))
    with _cache_lock:
        if path in _cache:
            return _cache[path]
        stat = os.stat(path)
        pickled = os.path.join(tempfile.gettempdir(), "tollgate-spec-%s-%d-%d.pickle" % (
            os.path.basename(path), stat.st_size, int(stat.st_mtime)))
        document = None
        if os.path.exists(pickled):
            try:
                with open(pickled, "rb") as f:
                    document = pickle.load(f)
            except Exception:
                document = None
        if document is None:
            with open(path, "rb") as f:
                if path.endswith((".yaml", ".yml")):
                    document = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                else:
                    document = json.load(f)
            tmp = pickled + ".%d" % os.getpid()
            with open(tmp, "wb") as f:
                pickle.dump(document, f)
            os.replace(tmp, pickled)
        spec = Spec(document)
        _cache[path] = spec
        return spec


class Spec:
    def __init__(self, document):
        self.document = document
        self.validator_cls = OAS31Validator if str(document.get("openapi", "")).startswith("3.1") else OAS30Validator
        servers = document.get("servers") or [{"url": ""}]
        self.base_path = re.sub(r"^https?://[^/]+", "", servers[0]["url"]).rstrip("/")
        self.operations = []
        for template, item in document.get("paths", {}).items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self.operations.append((pattern, literal, method.upper(), template, operation, item))
        # The most literal template wins, as in routers (/v1/customers/search over /v1/customers/{customer}).
        self.operations.sort(key=lambda o: -o[1])

    def operation(self, method, path):
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):] or "/"
        for pattern, _, op_method, template, operation, item in self.operations:
            if op_method == method and pattern.match(path):
                return template, operation, item
        return None

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), ref
            target = self.document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def schema_errors(self, schema, value):
        root = {"components": self.document.get("components", {}), "allOf": [schema]}
        validator = self.validator_cls(root)
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "body", e.message)
                for e in validator.iter_errors(value)]

    def validate(self, method, path, query, content_type, body):
        """A list of problems, empty when the request is one the vendor would accept."""
        found = self.operation(method, path)
        if found is None:
            return ["no operation %s %s in the spec" % (method, path)]
        _, operation, item = found
        problems = []
        parameters = [self.resolve(p) for p in item.get("parameters", []) + operation.get("parameters", [])]
        for parameter in parameters:
            if parameter.get("in") == "query" and parameter.get("required") and not any(
                    k == parameter["name"] or k.startswith(parameter["name"] + "[") for k, _ in query):
                problems.append("query parameter %s is required" % parameter["name"])
        request_body = self.resolve(operation.get("requestBody")) if operation.get("requestBody") else None
        if request_body is None:
            if body:
                problems.append("this operation takes no body")
            return problems
        media = (content_type or "").split(";")[0].strip().lower()
        content = request_body.get("content", {})
        if not body:
            if request_body.get("required"):
                problems.append("a body is required")
            return problems
        if media not in content:
            return problems + ["content type %r is not one of %s" % (media, sorted(content))]
        schema = content[media].get("schema", {})
        if media == "application/json":
            try:
                value = json.loads(body)
            except ValueError as error:
                return problems + ["body is not JSON: %s" % error]
        elif media == "application/x-www-form-urlencoded":
            try:
                value = self.coerce(schema, decode_form(body.decode("utf-8")))
            except ValueError as error:
                return problems + [str(error)]
        else:
            return problems
        return problems + self.schema_errors(schema, value)

    def coerce(self, schema, value):
        """Form strings to the schema's types; anyOf/oneOf take the first branch the value then satisfies."""
        schema = self.resolve(schema)
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            for branch in branches:
                candidate = self.coerce(branch, value)
                if not self.schema_errors(branch, candidate):
                    return candidate
            return value
        kind = schema.get("type")
        if isinstance(value, str):
            if kind == "integer" and re.fullmatch(r"-?\d+", value):
                return int(value)
            if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
                return float(value)
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
            if kind == "object" and value == "":
                return value
            return value
        if isinstance(value, dict):
            if kind == "array" and all(k.isdigit() for k in value):
                return [self.coerce(schema.get("items", {}), value[k]) for k in sorted(value, key=int)]
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            return {k: self.coerce(properties.get(k, extra if isinstance(extra, dict) else {}), v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.coerce(schema.get("items", {}), v) for v in value]
        return value


def decode_form(text):
    """`a[b][c]=1&list[]=x&list[]=y` → {"a": {"b": {"c": "1"}}, "list": ["x", "y"]} (Stripe's nesting)."""
    result = {}
    for key, value in parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)):
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not match:
            raise ValueError("malformed form key %r" % key)
        parts = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
        node = result
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                if not last:
                    raise ValueError("empty brackets must come last in %r" % key)
                if not isinstance(node, list):
                    raise ValueError("%r mixes a list with other values" % key)
                node.append(value)
                break
            if isinstance(node, list):
                raise ValueError("%r mixes a list with other values" % key)
            if last:
                if part in node:
                    raise ValueError("%r is given twice" % key)
                node[part] = value
            else:
                following = parts[i + 1]
                default = [] if following == "" else {}
                child = node.setdefault(part, default)
                if not isinstance(child, (dict, list)):
                    raise ValueError("%r is both a value and an object" % key)
                node = child
    return result
