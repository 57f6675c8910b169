"""The tollgate-edge Helm chart (helm/tollgate-edge), checked offline without a helm binary or a cluster
(shared/reference/testing-tools.md sections 5-7): helm lint --strict through the Helm Go SDK, rendering of the main
value combinations, every rendered manifest validated against the Kubernetes 1.30 OpenAPI schemas with
kubernetes-validate --strict and linted with yamllint (relaxed), concrete facts about the rendered objects, and the
values the schema or the templates must refuse.

Needs no server: run it alone with `pytest -c Tests/e2e/pytest.ini Tests/e2e/test_helm_chart.py`.
"""

import base64
import json
import re
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

CHART = Path(__file__).resolve().parents[2] / "helm" / "tollgate-edge"
KUBE_VERSION = "1.30.0"
RELEASE, NAMESPACE = "tollgate-edge", "edge"
SITE = "http://my-site.default.svc:80"
TOKEN = "tge_Q2hhcnRUZXN0RW5yb2xsbWVudFRva2Vu"
CREDENTIAL = "tga_Q2hhcnRUZXN0QWdlbnRDcmVkZW50aWFs"
CONTROL_PLANE = "https://tollgate.example.com"
# Kinds whose schema kubernetes-validate does not ship (custom resources).
CUSTOM_KINDS = {"ServiceMonitor"}

# The dashboard's install command (docs/fleet.md) plus the site the proxy forwards to.
DEFAULTS = {"controlPlane": {"url": CONTROL_PLANE}, "enrollmentToken": TOKEN, "upstream": {"url": SITE}}
POLICY = {"sites": [{"hostname": "www.example.com", "rules": [{"match": {"crawler": "GPTBot"}, "action": "block"}]}]}

CASES = {
    "control-plane-proxy": DEFAULTS,
    "forward-auth": {
        "controlPlane": {"url": CONTROL_PLANE},
        "credential": CREDENTIAL,
        "replicas": 1,
        "mode": "forward-auth",
        "trustedProxies": ["10.42.0.0/16", "fd00:42::/56"],
        "failMode": "closed",
    },
    "standalone": {"standalone": {"enabled": True, "policy": POLICY}, "upstream": {"url": SITE}},
    "persistence-disabled": {**DEFAULTS, "persistence": {"enabled": False}},
    "everything-on": {
        **DEFAULTS,
        "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 12, "targetCPUUtilizationPercentage": 60},
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}}},
        "ingress": {
            "enabled": True,
            "className": "nginx",
            "hosts": [{"host": "www.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}],
            "tls": [{"secretName": "www-example-com-tls", "hosts": ["www.example.com"]}],
        },
        "networkPolicy": {
            "enabled": True,
            "trafficFrom": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
            "metricsFrom": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443, "protocol": "TCP"}]}],
        },
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway"}
        ],
        "extraEnv": [{"name": "TZ", "value": "UTC"}],
        "image": {"pullSecrets": ["registry-credentials"]},
        "podAnnotations": {"example.com/team": "edge"},
        "podLabels": {"example.com/tier": "edge"},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"}],
        "persistence": {"storageClass": "fast-ssd", "size": "5Gi"},
    },
}


@pytest.fixture(scope="module")
def chart():
    helm.disable_logging()  # lint logs each `fail` it tolerates; the assertions below say what matters
    with helm.Chart.load(str(CHART)) as loaded:
        yield loaded


def render(chart, values):
    """Rendered templates (path → text) for a release named tollgate-edge in namespace edge."""
    return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def manifests(rendered):
    """The rendered YAML as one multi-document stream, like `helm template`."""
    return "".join(
        f"---\n# Source: {path}\n{text.strip()}\n"
        for path, text in sorted(rendered.items())
        if path.endswith(".yaml") and text.strip()
    )


def objects(chart, values):
    """{(kind, name): object} of everything the chart renders for these values."""
    docs = [d for d in yaml.safe_load_all(manifests(render(chart, values))) if d]
    by_key = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert len(by_key) == len(docs), "two objects with the same kind and name"
    return by_key


def of_kind(objs, kind):
    return [o for (k, _), o in objs.items() if k == kind]


def one(objs, kind):
    found = of_kind(objs, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def container(objs):
    (c,) = one(objs, "StatefulSet")["spec"]["template"]["spec"]["containers"]
    return c


def env(objs):
    return {e["name"]: e for e in container(objs)["env"]}


def config_json(objs):
    return json.loads(objs[("ConfigMap", RELEASE)]["data"]["config.json"])


# ---- lint, schemas, YAML -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [None, DEFAULTS], ids=["chart-defaults", "install-values"])
def test_lint_strict_has_no_warnings_or_errors(values):
    report = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["total_charts_linted"] == 1
    assert report["errors"] == [], report
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_validates_against_kubernetes_schemas_and_yamllint(chart, case):
    stream = manifests(render(chart, CASES[case]))
    docs = [d for d in yaml.safe_load_all(stream) if d]
    assert docs
    for doc in docs:
        if doc["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {'.'.join(map(str, e.path))}: {e.message}")
    # Like `yamllint -d relaxed`: errors fail, warnings do not (toYaml writes sequences unindented, which relaxed
    # reports as a warning).
    problems = [p for p in linter.run(stream, YamlLintConfig("extends: relaxed")) if p.level == "error"]
    assert problems == [], "\n".join(f"{p.line}:{p.column} {p.desc} ({p.rule})" for p in problems)


@pytest.mark.parametrize("name", ["values.yaml", "Chart.yaml"])
def test_chart_files_pass_yamllint(name):
    """Hand-written YAML: not even a warning, at the repository's 120 columns."""
    text = (CHART / name).read_text()
    problems = list(linter.run(text, YamlLintConfig("extends: relaxed\nrules:\n  line-length: {max: 120}")))
    assert problems == [], "\n".join(f"{name}:{p.line}:{p.column} {p.desc} ({p.rule})" for p in problems)


def test_chart_metadata():
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert (meta["apiVersion"], meta["name"], meta["version"], meta["appVersion"]) == (
        "v2", "tollgate-edge", "0.1.0", "0.1.0")
    assert meta["kubeVersion"].startswith(">=1.25")
    assert meta["description"]


def test_every_value_is_used_by_a_template():
    """No dead options: each key in values.yaml (or an enclosing map passed through whole) appears as .Values.<path>."""
    templates = "\n".join(p.read_text() for p in (CHART / "templates").iterdir())

    def leaves(node, path):
        if isinstance(node, dict) and node:
            for key, child in node.items():
                yield from leaves(child, path + [key])
        else:
            yield path

    unused = []
    for path in leaves(yaml.safe_load((CHART / "values.yaml").read_text()), []):
        prefixes = (".Values." + ".".join(path[:n]) for n in range(len(path), 0, -1))
        if not any(re.search(re.escape(p) + r"(?![\w.])", templates) for p in prefixes):
            unused.append(".".join(path))
    assert unused == []


def documented_keys():
    """Key paths in values.yaml with a `# --` comment right above them (continuation lines start with `#    `)."""
    stack, keys, documented = [], [], False
    for line in (CHART / "values.yaml").read_text().splitlines():
        if line.strip().startswith("# --"):
            documented = True
            continue
        if line.strip().startswith("#"):
            continue
        key = re.match(r"^( *)([A-Za-z]\w*):", line)
        if key:
            indent = len(key.group(1))
            stack = [(i, k) for i, k in stack if i < indent] + [(indent, key.group(2))]
            if documented:
                keys.append(".".join(k for _, k in stack))
        documented = False
    return keys


def test_every_value_is_documented_in_values_yaml_and_the_readme():
    documented = documented_keys()

    def leaves(node, path):
        if ".".join(path) in documented:
            return
        if isinstance(node, dict) and node:
            for key, child in node.items():
                yield from leaves(child, path + [key])
        else:
            yield ".".join(path)

    assert list(leaves(yaml.safe_load((CHART / "values.yaml").read_text()), [])) == []
    table = re.findall(r"^\| `([\w.]+)` \|", (CHART / "README.md").read_text(), re.MULTILINE)
    assert table == documented


# ---- what the rendered objects say ---------------------------------------------------------------------------------


def test_install_values_render_a_statefulset_agent(chart):
    objs = objects(chart, DEFAULTS)
    assert {k for k, _ in objs} == {
        "ConfigMap", "Secret", "ServiceAccount", "Service", "StatefulSet", "PodDisruptionBudget"}
    sts = one(objs, "StatefulSet")
    spec, pod = sts["spec"], sts["spec"]["template"]["spec"]
    assert spec["replicas"] == 2
    assert spec["podManagementPolicy"] == "Parallel"
    assert spec["serviceName"] == f"{RELEASE}-headless"
    assert spec["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "tollgate-edge", "app.kubernetes.io/instance": RELEASE}
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["serviceAccountName"] == RELEASE
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert "lifecycle" not in container(objs)  # no preStop hook: the agent drains on SIGTERM

    c = container(objs)
    assert c["image"] == "tollgate/tollgate-edge:0.1.0"  # tag defaults to appVersion
    assert c["args"] == ["--config", "/etc/tollgate-edge/config.json"]
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"http": 8080, "metrics": 9090}

    # The durable spool: one ReadWriteOnce claim per pod, mounted as the data directory.
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert "helm.sh/chart" not in claim["metadata"]["labels"]  # immutable field: no version-bearing labels
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert "storageClassName" not in claim["spec"]
    assert {v["name"] for v in pod["volumes"]} == {"config", "tmp"}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    assert mounts["data"]["mountPath"] == "/var/lib/tollgate-edge"
    assert mounts["config"]["mountPath"] == "/etc/tollgate-edge" and mounts["config"]["readOnly"] is True

    # Probes on the admin listener.
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}

    # Hardening.
    psc, sc = pod["securityContext"], c["securityContext"]
    assert psc["runAsNonRoot"] is True and psc["runAsUser"] == 65532 and psc["fsGroup"] == 65532
    assert psc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 65532
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c["resources"]["requests"] == {"cpu": "100m", "memory": "64Mi"}

    pdb = one(objs, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]


def test_install_values_configure_the_agent(chart):
    objs = objects(chart, DEFAULTS)
    assert config_json(objs) == {
        "mode": "proxy",
        "listen": "0.0.0.0:8080",
        "admin_listen": "0.0.0.0:9090",
        "upstream": SITE,
        "upstream_timeout_seconds": 30,
        "control_plane_url": CONTROL_PLANE,
        "fail_mode": "open",
        "trusted_proxies": [],
        "log_level": "info",
        "log_format": "json",
    }
    e = env(objs)
    assert set(e) == {"TOLLGATE_EDGE_NAME", "TOLLGATE_EDGE_DATA_DIR", "TOLLGATE_EDGE_ENROLLMENT_TOKEN"}
    assert e["TOLLGATE_EDGE_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert e["TOLLGATE_EDGE_DATA_DIR"]["value"] == "/var/lib/tollgate-edge"
    assert e["TOLLGATE_EDGE_ENROLLMENT_TOKEN"]["valueFrom"] == {
        "secretKeyRef": {"name": RELEASE, "key": "enrollment-token"}}

    # The token is only in the Secret.
    secret = objs[("Secret", RELEASE)]
    assert secret["data"] == {"enrollment-token": base64.b64encode(TOKEN.encode()).decode()}
    encoded = base64.b64encode(TOKEN.encode()).decode()
    for (kind, name), obj in objs.items():
        if kind != "Secret":
            text = yaml.safe_dump(obj)
            assert TOKEN not in text and encoded not in text, f"token leaked into {kind}/{name}"


def test_services(chart):
    objs = objects(chart, DEFAULTS)
    main, headless = objs[("Service", RELEASE)], objs[("Service", f"{RELEASE}-headless")]
    assert main["spec"]["type"] == "ClusterIP"
    assert [(p["name"], p["port"], p["targetPort"]) for p in main["spec"]["ports"]] == [
        ("http", 80, "http"), ("metrics", 9090, "metrics")]
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["selector"] == main["spec"]["selector"]
    assert main["metadata"]["labels"]["tollgate-edge/service"] == "main"
    assert headless["metadata"]["labels"]["tollgate-edge/service"] == "headless"


def test_the_dashboard_command_needs_the_site_or_forward_auth(chart):
    """The dashboard prints --set controlPlane.url=… --set enrollmentToken=…; proxy mode also needs the site."""
    dashboard = {"controlPlane": {"url": CONTROL_PLANE}, "enrollmentToken": TOKEN}
    with pytest.raises(helm.HelmRenderError, match="proxy mode needs upstream.url"):
        render(chart, dashboard)
    objs = objects(chart, {**dashboard, "mode": "forward-auth"})
    assert config_json(objs)["control_plane_url"] == CONTROL_PLANE
    assert "TOLLGATE_EDGE_ENROLLMENT_TOKEN" in env(objs)


def test_forward_auth_with_a_credential(chart):
    objs = objects(chart, CASES["forward-auth"])
    config = config_json(objs)
    assert config["mode"] == "forward-auth"
    assert "upstream" not in config and "upstream_timeout_seconds" not in config
    assert config["trusted_proxies"] == ["10.42.0.0/16", "fd00:42::/56"]
    assert config["fail_mode"] == "closed"
    e = env(objs)
    assert "TOLLGATE_EDGE_ENROLLMENT_TOKEN" not in e
    assert e["TOLLGATE_EDGE_CREDENTIAL"]["valueFrom"] == {"secretKeyRef": {"name": RELEASE, "key": "credential"}}
    assert objs[("Secret", RELEASE)]["data"] == {"credential": base64.b64encode(CREDENTIAL.encode()).decode()}


def test_standalone_mounts_the_policy(chart):
    objs = objects(chart, CASES["standalone"])
    assert ("Secret", RELEASE) not in objs
    policy_cm = objs[("ConfigMap", f"{RELEASE}-policy")]
    assert json.loads(policy_cm["data"]["policy.json"]) == POLICY
    config = config_json(objs)
    assert "control_plane_url" not in config
    e = env(objs)
    assert e["TOLLGATE_EDGE_POLICY_FILE"]["value"] == "/etc/tollgate-edge/policy.json"
    assert not {"TOLLGATE_EDGE_ENROLLMENT_TOKEN", "TOLLGATE_EDGE_CREDENTIAL"} & set(e)
    (config_volume,) = [v for v in one(objs, "StatefulSet")["spec"]["template"]["spec"]["volumes"]
                        if v["name"] == "config"]
    sources = [(s["configMap"]["name"], s["configMap"]["items"]) for s in config_volume["projected"]["sources"]]
    assert sources == [
        (RELEASE, [{"key": "config.json", "path": "config.json"}]),
        (f"{RELEASE}-policy", [{"key": "policy.json", "path": "policy.json"}]),
    ]
    annotations = one(objs, "StatefulSet")["spec"]["template"]["metadata"]["annotations"]
    assert "checksum/policy" in annotations and "checksum/secret" not in annotations


def test_standalone_policy_as_json_text_or_existing_configmap(chart):
    text = json.dumps(POLICY)
    objs = objects(chart, {"standalone": {"enabled": True, "policy": text}, "mode": "forward-auth"})
    assert json.loads(objs[("ConfigMap", f"{RELEASE}-policy")]["data"]["policy.json"]) == POLICY

    objs = objects(chart, {"standalone": {"enabled": True, "existingConfigMap": "site-policy"}, "mode": "forward-auth"})
    assert ("ConfigMap", f"{RELEASE}-policy") not in objs
    (config_volume,) = [v for v in one(objs, "StatefulSet")["spec"]["template"]["spec"]["volumes"]
                        if v["name"] == "config"]
    assert config_volume["projected"]["sources"][1]["configMap"]["name"] == "site-policy"


def test_persistence_disabled_uses_emptydir_and_warns(chart):
    values = CASES["persistence-disabled"]
    rendered = render(chart, values)
    objs = objects(chart, values)
    sts = one(objs, "StatefulSet")
    assert "volumeClaimTemplates" not in sts["spec"]
    volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"] == {"name": "data", "emptyDir": {}}
    notes = rendered["tollgate-edge/templates/NOTES.txt"]
    assert "WARNING: persistence.enabled=false" in notes
    assert "LOST and never billed" in notes
    assert "WARNING" not in render(chart, DEFAULTS)["tollgate-edge/templates/NOTES.txt"]


def test_everything_on(chart):
    objs = objects(chart, CASES["everything-on"])
    name = RELEASE
    sts = one(objs, "StatefulSet")
    assert "replicas" not in sts["spec"]  # the HPA owns it
    pod = sts["spec"]["template"]

    hpa = one(objs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 12)
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]

    sm = one(objs, "ServiceMonitor")
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert sm["spec"]["selector"]["matchLabels"]["tollgate-edge/service"] == "main"  # not the headless one too
    assert sm["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}]

    ing = one(objs, "Ingress")
    assert ing["spec"]["ingressClassName"] == "nginx"
    (rule,) = ing["spec"]["rules"]
    assert rule["host"] == "www.example.com"
    assert rule["http"]["paths"][0]["backend"] == {"service": {"name": name, "port": {"name": "http"}}}
    assert ing["spec"]["tls"] == [{"secretName": "www-example-com-tls", "hosts": ["www.example.com"]}]

    np = one(objs, "NetworkPolicy")
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"]
    traffic, metrics = np["spec"]["ingress"]
    assert traffic["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert traffic["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == "ingress-nginx"
    assert metrics["ports"] == [{"port": "metrics", "protocol": "TCP"}]
    dns, https = np["spec"]["egress"]
    assert {p["port"] for p in dns["ports"]} == {53}
    assert https["ports"] == [{"port": 443, "protocol": "TCP"}]

    assert one(objs, "PodDisruptionBudget")["spec"]["minAvailable"] == 1  # autoscaling.minReplicas 3 > 1

    (spread,) = pod["spec"]["topologySpreadConstraints"]
    assert spread["labelSelector"] == {"matchLabels": sts["spec"]["selector"]["matchLabels"]}
    assert pod["spec"]["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["spec"]["tolerations"][0]["key"] == "edge"
    assert pod["metadata"]["annotations"]["example.com/team"] == "edge"
    assert pod["metadata"]["labels"]["example.com/tier"] == "edge"
    assert env(objs)["TZ"]["value"] == "UTC"
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"


def test_existing_secret_keys_are_optional(chart):
    objs = objects(chart, {"controlPlane": {"url": CONTROL_PLANE}, "existingSecret": "edge-agent-secret",
                           "upstream": {"url": SITE}})
    assert of_kind(objs, "Secret") == []
    e = env(objs)
    for var, key in [("TOLLGATE_EDGE_ENROLLMENT_TOKEN", "enrollment-token"), ("TOLLGATE_EDGE_CREDENTIAL", "credential")]:
        assert e[var]["valueFrom"] == {"secretKeyRef": {"name": "edge-agent-secret", "key": key, "optional": True}}
    assert "checksum/secret" not in one(objs, "StatefulSet")["spec"]["template"]["metadata"]["annotations"]


def test_small_options(chart):
    objs = objects(chart, {**DEFAULTS, "replicas": 1, "agentName": "edge-eu-1", "persistence": {"storageClass": "-"},
                           "bindAddress": "[::]", "ports": {"traffic": 8443, "admin": 9443},
                           "image": {"tag": "0.1.1"}, "serviceAccount": {"create": False}})
    assert of_kind(objs, "PodDisruptionBudget") == []  # one replica: a PDB would block node drains
    assert of_kind(objs, "ServiceAccount") == []
    pod = one(objs, "StatefulSet")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "default"
    assert env(objs)["TOLLGATE_EDGE_NAME"] == {"name": "TOLLGATE_EDGE_NAME", "value": "edge-eu-1"}
    assert container(objs)["image"] == "tollgate/tollgate-edge:0.1.1"
    (claim,) = one(objs, "StatefulSet")["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == ""
    config = config_json(objs)
    assert (config["listen"], config["admin_listen"]) == ("[::]:8443", "[::]:9443")
    assert {p["name"]: p["containerPort"] for p in container(objs)["ports"]} == {"http": 8443, "metrics": 9443}


def test_configuration_changes_roll_the_pods(chart):
    def checksums(values):
        annotations = one(objects(chart, values), "StatefulSet")["spec"]["template"]["metadata"]["annotations"]
        return annotations["checksum/config"], annotations["checksum/secret"]

    config, secret = checksums(DEFAULTS)
    assert checksums({**DEFAULTS, "log": {"level": "debug"}})[0] != config
    assert checksums({**DEFAULTS, "enrollmentToken": "tge_another"})[1] != secret


# ---- what must be refused ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ({"mode": "sideways"}, "/mode"),
        ({"replicas": 0}, "/replicas"),
        ({"replicaCount": 3}, "additional properties 'replicaCount' not allowed"),
        ({"failMode": "maybe"}, "/failMode"),
        ({"upstream": {"url": "https://site.default.svc", "timeoutSeconds": 30}}, "/upstream/url"),  # plain HTTP only
        ({"log": {"level": "verbose"}}, "/log/level"),
        ({"enrollmentToken": CREDENTIAL}, "/enrollmentToken"),  # a credential where the token goes
        ({"controlPlane": {"url": "tollgate.example.com"}}, "/controlPlane/url"),
        ({"ports": {"admin": 0}}, "/ports/admin"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"persistence": {"size": "lots"}}, "/persistence/size"),
        ({"trustedProxies": ["10.0.0.1"]}, "/trustedProxies/0"),
        ({"upstream": {"timeoutSeconds": 0}}, "/upstream/timeoutSeconds"),
        ({"autoscaling": {"maxReplicas": "ten"}}, "/autoscaling/maxReplicas"),
        ({"service": {"type": "ExternalName"}}, "/service/type"),
        ({"persistence": {"enabled": True, "sizze": "2Gi"}}, "additional properties 'sizze' not allowed"),
    ],
)
def test_schema_rejects_bad_values(chart, values, message):
    with pytest.raises(helm.HelmValuesError, match=re.escape(message)):
        chart.validate_schema(values)
    with pytest.raises(helm.HelmValuesError, match=re.escape(message)):
        render(chart, {**DEFAULTS, **values})


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "set controlPlane.url"),
        ({"upstream": {"url": SITE}}, "set controlPlane.url"),
        ({**DEFAULTS, "standalone": {"enabled": True, "policy": POLICY}}, "not both"),
        ({"controlPlane": {"url": CONTROL_PLANE}, "upstream": {"url": SITE}}, "needs enrollmentToken"),
        ({**DEFAULTS, "existingSecret": "edge-agent-secret"}, "either existingSecret or enrollmentToken"),
        ({"controlPlane": {"url": CONTROL_PLANE}, "credential": CREDENTIAL, "upstream": {"url": SITE}},
         "credential is one agent's identity"),
        ({"controlPlane": {"url": CONTROL_PLANE}, "credential": CREDENTIAL, "upstream": {"url": SITE}, "replicas": 1,
          "autoscaling": {"enabled": True}}, "credential is one agent's identity"),
        ({"standalone": {"enabled": True, "policy": POLICY}, "upstream": {"url": SITE}, "enrollmentToken": TOKEN},
         "standalone mode talks to no control plane"),
        ({"standalone": {"enabled": True}, "upstream": {"url": SITE}}, "exactly one of standalone.policy"),
        ({"standalone": {"enabled": True, "policy": POLICY, "existingConfigMap": "p"}, "upstream": {"url": SITE}},
         "exactly one of standalone.policy"),
        ({"standalone": {"enabled": True, "policy": "{not json"}, "upstream": {"url": SITE}},
         "must be a non-empty JSON object"),
        ({**DEFAULTS, "standalone": {"policy": POLICY}}, "need standalone.enabled=true"),
        ({**DEFAULTS, "upstream": {"url": ""}}, "proxy mode needs upstream.url"),
        ({**DEFAULTS, "mode": "forward-auth", "ingress": {"enabled": True, "hosts": [
            {"host": "www.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}]}}, "ingress.enabled is for proxy"),
        ({**DEFAULTS, "ingress": {"enabled": True}}, "at least one entry in ingress.hosts"),
        ({**DEFAULTS, "autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}}, "must not exceed"),
    ],
)
def test_templates_refuse_inconsistent_values(chart, values, message):
    with pytest.raises(helm.HelmRenderError, match=re.escape(message)):
        render(chart, values)
