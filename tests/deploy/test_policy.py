"""Policy over the Kubernetes manifests, offline: every pod meets the "restricted" Pod
Security Standard, every image is pinned, every namespace denies by default, each
workload has NetworkPolicies allowing only its intended flows, and the Ingress exposes
only the public routes (the gateway's `/v1` API and the SMS delivery receipts), read from
the apps themselves. Each checker is also shown a bad manifest, so it can fail."""

from __future__ import annotations

import copy
import re
from urllib.parse import urlsplit

import pytest
import yaml

from services.api.main import app as api_app
from services.kit.openapi import project_version
from services.notify.receipts import router as receipts_router
from tests.deploy.test_deploy_files import DEPLOY, _compose, _k8s_docs

WORKLOADS = ("Deployment", "Job", "StatefulSet", "DaemonSet", "CronJob")
# Pod Security Standards, "restricted"
# (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
    "persistentVolumeClaim", "projected", "secret",
}  # fmt: skip
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip
PRIVATE = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"}
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _all_docs() -> list[dict]:
    """What ops apply: deploy/k8s/ and the Prometheus Operator's deploy/monitoring/."""
    docs = _k8s_docs()
    for path in sorted((DEPLOY / "monitoring").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _pod(doc: dict) -> dict:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def _containers(pod_spec: dict) -> list[dict]:
    return [
        c
        for key in ("initContainers", "containers", "ephemeralContainers")
        for c in pod_spec.get(key, [])
    ]


def restricted_violations(doc: dict) -> list[str]:
    """Why a workload's pod falls short of the restricted standard (empty: it meets it),
    plus this project's own bar: a read-only root filesystem with /tmp an emptyDir."""
    spec = _pod(doc)["spec"]
    psc = spec.get("securityContext") or {}
    out = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            out.append(key)
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for name, volume in volumes.items():
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            out.append(f"volume {name}: {sorted(kinds)}")
    for sysctl in psc.get("sysctls", []):
        if sysctl["name"] not in SAFE_SYSCTLS:
            out.append(f"sysctl {sysctl['name']}")
    pod_seccomp = (psc.get("seccompProfile") or {}).get("type")
    if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
        out.append(f"pod seccomp {pod_seccomp}")
    if psc.get("runAsUser") == 0:
        out.append("pod runAsUser 0")
    for c in _containers(spec):
        sc = c.get("securityContext") or {}
        where = f"container {c['name']}"
        if sc.get("privileged"):
            out.append(f"{where}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{where}: allowPrivilegeEscalation not false")
        caps = sc.get("capabilities") or {}
        if "ALL" not in caps.get("drop", []):
            out.append(f"{where}: capabilities not dropping ALL")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            out.append(f"{where}: capabilities added {caps['add']}")
        non_root = sc.get("runAsNonRoot", psc.get("runAsNonRoot"))
        if non_root is not True:
            out.append(f"{where}: runAsNonRoot not true")
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            out.append(f"{where}: runAsUser 0")
        seccomp = (sc.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{where}: seccompProfile {seccomp}")
        if sc.get("procMount", "Default") != "Default":
            out.append(f"{where}: procMount")
        if any(p.get("hostPort") for p in c.get("ports", [])):
            out.append(f"{where}: hostPort")
        if sc.get("readOnlyRootFilesystem") is not True:
            out.append(f"{where}: root filesystem writable")
        tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
            out.append(f"{where}: no emptyDir at /tmp")
    return out


def _workloads() -> list[dict]:
    return [d for d in _all_docs() if d["kind"] in WORKLOADS]


def test_the_manifests_hold_every_workload() -> None:
    names = {d["metadata"]["name"] for d in _workloads()}
    assert {"api", "rules", "documents", "notify", "zhicheng-migrate"} <= names


@pytest.mark.parametrize("doc", _workloads(), ids=lambda d: d["metadata"]["name"])
def test_every_pod_meets_the_restricted_standard(doc: dict) -> None:
    assert restricted_violations(doc) == []


BREAKS = {
    "privileged": lambda s, c: c["securityContext"].update(privileged=True),
    "escalation": lambda s, c: c["securityContext"].pop("allowPrivilegeEscalation"),
    "capability": lambda s, c: c["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
    "root": lambda s, c: (
        s["securityContext"].pop("runAsNonRoot"), c["securityContext"].pop("runAsNonRoot")
    ),
    "seccomp": lambda s, c: s["securityContext"].pop("seccompProfile"),
    "hostPath": lambda s, c: s["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    "hostNetwork": lambda s, c: s.update(hostNetwork=True),
    "writable": lambda s, c: c["securityContext"].update(readOnlyRootFilesystem=False),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_the_standard_check_refuses_a_pod_that_breaks_it(name: str) -> None:
    doc = copy.deepcopy(next(d for d in _workloads() if d["metadata"]["name"] == "api"))
    spec = _pod(doc)["spec"]
    BREAKS[name](spec, spec["containers"][0])
    assert restricted_violations(doc)


def test_every_namespace_enforces_the_restricted_standard() -> None:
    docs = _all_docs()
    namespaces = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Namespace"}
    used = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert used <= set(namespaces), "every namespace used is declared"
    for name, ns in namespaces.items():
        labels = ns["metadata"].get("labels", {})
        assert labels.get("pod-security.kubernetes.io/enforce") == "restricted", name
        # Each mode's version pinned (unset, a mode follows `latest`).
        for mode in ("enforce", "audit", "warn"):
            version = labels.get(f"pod-security.kubernetes.io/{mode}-version", "")
            assert re.fullmatch(r"v1\.\d+", version), (name, mode, version)


def _scalars(value: object) -> list[str]:
    """Every key and scalar value of a YAML document, as text."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_scalars(v))]
    if isinstance(value, list):
        return [s for item in value for s in _scalars(item)]
    return [] if value is None else [str(value)]


def latest_in_deploy() -> list[str]:
    """Where "latest" is set anywhere in deploy/: in any key or value of every YAML file
    (manifests, templates, monitoring, compose) and in any non-comment line of the other
    files that run (Dockerfile, shell scripts). The prose (README, comments) may say
    "never latest"."""
    found = []
    for path in sorted(DEPLOY.rglob("*")):
        if not path.is_file() or path.suffix == ".md":
            continue
        text = path.read_text()
        if path.suffix in (".yaml", ".yml"):
            values = [s for doc in yaml.safe_load_all(text) for s in _scalars(doc)]
        else:
            values = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
        found += [f"{path.relative_to(DEPLOY)}: {v}" for v in values if "latest" in v.lower()]
    return found


def test_nothing_in_deploy_follows_latest() -> None:
    assert latest_in_deploy() == []
    assert any(DEPLOY.rglob("*.yaml")) and (DEPLOY / "Dockerfile").is_file()


def _image_pinned(image: str) -> bool:
    if DIGEST.search(image):
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest")


def test_every_image_is_pinned() -> None:
    images = [c["image"] for d in _workloads() for c in _containers(_pod(d)["spec"])]
    images += [svc["image"] for svc in _compose()["services"].values() if "image" in svc]
    assert images
    unpinned = [i for i in images if not _image_pinned(i)]
    assert not unpinned
    # Ours is the released version (bump the manifests with the project's version).
    ours = {i for i in images if i.startswith("zhicheng")}
    assert ours == {f"zhicheng:{project_version()}"}
    for bad in ("zhicheng", "zhicheng:latest", "registry.example:5000/zhicheng"):
        assert not _image_pinned(bad), bad
    assert _image_pinned("zhicheng@sha256:" + "0" * 64)


# --- NetworkPolicies ---------------------------------------------------------------------


def _policies(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] == "NetworkPolicy"]


def _selects(selector: dict, labels: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, "matchLabels only, so this check can read it"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _is_default_deny(policy: dict) -> bool:
    spec = policy["spec"]
    return (
        spec["podSelector"] == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def test_every_namespace_denies_by_default() -> None:
    docs = _all_docs()
    namespaces = {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"}
    assert namespaces
    for ns in namespaces:
        mine = [p for p in _policies(docs) if p["metadata"]["namespace"] == ns]
        assert any(_is_default_deny(p) for p in mine), ns


def _peer(peer: dict, namespace: str) -> str:
    """A peer as `pod:<name>`, `namespace:<name>`, `pod:<name>@<namespace>` or `cidr:<block>`."""
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        excepted = set(block.get("except", []))
        if block["cidr"] == "0.0.0.0/0":
            assert excepted >= PRIVATE, "the Internet only: never the private networks"
            return "internet"
        return f"cidr:{block['cidr']}"
    ns = peer.get("namespaceSelector")
    ns_name = ns["matchLabels"]["kubernetes.io/metadata.name"] if ns else namespace
    pod = peer.get("podSelector")
    if pod is None:
        return f"namespace:{ns_name}"
    pod_name = pod["matchLabels"].get("app.kubernetes.io/name") or pod["matchLabels"].get("k8s-app")
    return f"pod:{pod_name}" if ns_name == namespace else f"pod:{pod_name}@{ns_name}"


def flows(docs: list[dict], labels: dict, namespace: str) -> dict[str, set[tuple[str, str]]]:
    """What the policies selecting a pod allow: direction → {(peer, port)}; a direction
    no policy restricts is open ("*")."""
    out: dict[str, set[tuple[str, str]]] = {"Ingress": set(), "Egress": set()}
    restricted = set()
    for policy in _policies(docs):
        spec = policy["spec"]
        if policy["metadata"]["namespace"] != namespace:
            continue
        if not _selects(spec["podSelector"], labels):
            continue
        restricted |= set(spec.get("policyTypes", []))
        for direction, key, side in (("Ingress", "ingress", "from"), ("Egress", "egress", "to")):
            for rule in spec.get(key) or []:
                peers = [_peer(p, namespace) for p in rule.get(side, [])] or ["*"]
                ports = [str(p["port"]) for p in rule.get("ports", [])] or ["*"]
                out[direction] |= {(peer, port) for peer in peers for port in ports}
    for direction in ("Ingress", "Egress"):
        if direction not in restricted:
            out[direction] = {("*", "*")}
    return out


DNS = {("pod:kube-dns@kube-system", "53")}
METRICS = {("namespace:monitoring", "metrics")}
INGRESS = {("namespace:ingress-nginx", "http")}
POSTGRES = {("cidr:192.0.2.10/32", "5432")}
REDIS = {("cidr:192.0.2.11/32", "6379")}
S3 = {("cidr:192.0.2.12/32", "9000"), ("cidr:192.0.2.12/32", "443")}
HTTPS = {("internet", "443")}
# The OTLP/HTTP trace collector (TRACE_OTLP_ENDPOINT), for every process that exports
# traces (services/kit/app.py and the notify worker configure them; the migration Job not).
TRACES = {("pod:opentelemetry-collector@monitoring", "4318")}
# The intended flows, by workload (app.kubernetes.io/name).
INTENDED = {
    "api": {
        "Ingress": INGRESS | METRICS | {("pod:web", "http")},
        "Egress": DNS | {("pod:rules", "8001"), ("pod:documents", "8002")}
        | POSTGRES | REDIS | S3 | HTTPS | TRACES,  # payment provider, WeChat, registries
    },
    "rules": {"Ingress": {("pod:api", "http")} | METRICS, "Egress": DNS | TRACES},
    "documents": {
        "Ingress": {("pod:api", "http")} | METRICS, "Egress": DNS | POSTGRES | S3 | TRACES
    },
    "notify": {"Ingress": INGRESS | METRICS, "Egress": DNS | POSTGRES | REDIS | HTTPS | TRACES},
    "migrate": {"Ingress": METRICS, "Egress": DNS | POSTGRES | S3},
    "web": {"Ingress": INGRESS | METRICS, "Egress": DNS | {("pod:api", "8000")} | TRACES},
}  # fmt: skip


def test_the_trace_endpoint_is_the_collector_the_policies_open() -> None:
    """TRACE_OTLP_ENDPOINT names a Service in the namespace and on the port the policies
    let the tracing workloads reach (`<service>.<namespace>[.svc…]:<port>`)."""
    config = next(
        d for d in _all_docs() if d["kind"] == "ConfigMap" and "TRACE_EXPORTER" in d["data"]
    )
    endpoint = urlsplit(config["data"]["TRACE_OTLP_ENDPOINT"])
    assert endpoint.path == "/v1/traces"
    ((peer, port),) = TRACES
    namespace = peer.rpartition("@")[2]
    assert endpoint.hostname.split(".")[1] == namespace, endpoint.hostname
    assert str(endpoint.port) == port
    tracing = {name for name, flows_ in INTENDED.items() if flows_["Egress"] >= TRACES}
    assert tracing == {"api", "rules", "documents", "notify", "web"}


@pytest.mark.parametrize("doc", _workloads(), ids=lambda d: d["metadata"]["name"])
def test_network_policies_allow_each_workload_only_its_flows(doc: dict) -> None:
    labels = _pod(doc)["metadata"]["labels"]
    name = labels["app.kubernetes.io/name"]
    docs = _all_docs()
    # A policy of its own (beyond the namespace-wide ones) restricting both directions.
    own = [
        p
        for p in _policies(docs)
        if p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") == name
    ]
    assert own and {"Ingress", "Egress"} <= set(own[0]["spec"]["policyTypes"]), name
    assert flows(docs, labels, doc["metadata"]["namespace"]) == INTENDED[name]


def test_the_flow_check_sees_a_policy_that_opens_too_much() -> None:
    docs = _all_docs()
    labels = {"app.kubernetes.io/name": "rules", "app.kubernetes.io/part-of": "zhicheng"}
    wide = {
        "kind": "NetworkPolicy",
        "metadata": {"name": "oops", "namespace": "zhicheng"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
    }
    assert flows([*docs, wide], labels, "zhicheng")["Egress"] != INTENDED["rules"]["Egress"]
    no_deny = [d for d in docs if not (d["kind"] == "NetworkPolicy" and _is_default_deny(d))]
    assert not any(_is_default_deny(p) for p in _policies(no_deny))


def test_every_named_port_of_a_policy_exists_on_the_pods() -> None:
    docs = _all_docs()
    ports = {
        _pod(d)["metadata"]["labels"]["app.kubernetes.io/name"]: {
            p["name"]: p["containerPort"]
            for c in _containers(_pod(d)["spec"])
            for p in c.get("ports", [])
        }
        for d in _workloads()
    }
    for policy in _policies(docs):
        target = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("ingress") or []:
            for port in rule.get("ports", []):
                if isinstance(port["port"], str) and target:
                    assert port["port"] in ports[target], (policy["metadata"]["name"], port)
        for rule in policy["spec"].get("egress") or []:
            for peer in rule.get("to", []):
                name = (
                    (peer.get("podSelector") or {})
                    .get("matchLabels", {})
                    .get("app.kubernetes.io/name")
                )
                if name in ports:
                    numbers = {p["port"] for p in rule["ports"]}
                    assert numbers <= set(ports[name].values()), (policy["metadata"]["name"], name)


# --- Ingress -----------------------------------------------------------------------------


def _public_paths() -> dict[str, set[tuple[str, str, str]]]:
    """(path, pathType, service) each Ingress may route, by Ingress: the API's carries the
    gateway's `/v1` API (the payment callback among its routes) and the worker's
    delivery-receipt routes; the web front end's (its own object, its own host) its
    pages."""
    receipts = {(r.path, "Exact", "notify") for r in receipts_router.routes}
    return {
        "zhicheng": {("/v1", "Prefix", "api"), *receipts},
        "zhicheng-web": {("/", "Prefix", "web")},
    }


def ingress_violations(docs: list[dict]) -> list[str]:
    out = []
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    public = _public_paths()
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    if {i["metadata"]["name"] for i in ingresses} != set(public):
        out.append(f"ingresses {sorted(i['metadata']['name'] for i in ingresses)}")
    hosts: dict[str, str] = {}
    for ing in ingresses:
        name = ing["metadata"]["name"]
        allowed = public.get(name, set())
        routed = set()
        spec = ing["spec"]
        tls_hosts = {h for t in spec.get("tls", []) for h in t.get("hosts", [])}
        if not spec.get("tls") or not all(t.get("secretName") for t in spec["tls"]):
            out.append(f"{name}: no TLS secret")
        if "defaultBackend" in spec:
            out.append(f"{name}: a default backend")
        for rule in spec.get("rules", []):
            host = rule.get("host")
            if host not in tls_hosts:
                out.append(f"{name}: host {host} without TLS")
            if hosts.setdefault(host, name) != name:
                out.append(f"{name}: host {host} also routed by {hosts[host]}")
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                key = (path["path"], path["pathType"], backend["name"])
                routed.add(key)
                if key not in allowed:
                    out.append(f"{name}: path {key}")
                port = backend["port"]
                service_ports = {p["name"]: p for p in services[backend["name"]]["spec"]["ports"]}
                if port.get("name") != "http" or "number" in port:
                    out.append(f"{key}: port {port}")
                elif service_ports["http"]["port"] == service_ports.get("metrics", {}).get("port"):
                    out.append(f"{key}: http and metrics share a port")
        if routed != allowed:
            out.append(f"{name}: not routed: {sorted(allowed - routed)}")
    return out


def test_the_ingress_exposes_only_the_public_routes() -> None:
    assert ingress_violations(_all_docs()) == []


def test_no_ingress_claims_the_object_stores_download_host() -> None:
    """Download links name S3_PUBLIC_ENDPOINT, the object store's own public endpoint (the
    store runs outside the namespace): no Ingress of ours routes that host, so nothing
    pretends to serve it, and it is https."""
    docs = _all_docs()
    config = next(d for d in docs if d["kind"] == "ConfigMap" and "S3_PUBLIC_ENDPOINT" in d["data"])
    endpoint = urlsplit(config["data"]["S3_PUBLIC_ENDPOINT"])
    assert endpoint.scheme == "https"
    routed = {r.get("host") for d in docs if d["kind"] == "Ingress" for r in d["spec"]["rules"]}
    assert endpoint.hostname not in routed
    assert not [d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "minio"]


def test_the_public_prefix_holds_no_internal_route() -> None:
    """Under `/v1` the gateway has only its API: the probes, the OpenAPI document and the
    metrics are elsewhere, and the payment callback is under it."""
    paths = set(api_app.openapi()["paths"])
    assert "/v1/payments/callback" in paths
    outside = {p for p in paths if not p.startswith("/v1/")}
    assert outside == {"/healthz", "/readyz"}
    assert not {p for p in paths if "metrics" in p}


@pytest.mark.parametrize(
    "ingress,path",
    [("zhicheng", ("/", "Prefix", "api")), ("zhicheng", ("/metrics", "Exact", "api")),
     ("zhicheng", ("/v1", "Prefix", "rules")), ("zhicheng", ("/receipts", "Prefix", "notify")),
     ("zhicheng", ("/healthz", "Exact", "notify")),
     # Each Ingress its own routes: the web pages not on the API's, the API not on web's.
     ("zhicheng", ("/", "Prefix", "web")), ("zhicheng-web", ("/v1", "Prefix", "api")),
     ("zhicheng-web", ("/metrics", "Exact", "web"))],
)  # fmt: skip
def test_the_ingress_check_refuses_a_path_too_many(
    ingress: str, path: tuple[str, str, str]
) -> None:
    docs = copy.deepcopy(_all_docs())
    ing = next(d for d in docs if d["kind"] == "Ingress" and d["metadata"]["name"] == ingress)
    ing["spec"]["rules"][0]["http"]["paths"].append(
        {
            "path": path[0],
            "pathType": path[1],
            "backend": {"service": {"name": path[2], "port": {"name": "http"}}},
        }
    )
    assert ingress_violations(docs)


def test_the_ingress_check_refuses_the_metrics_port_and_plain_http() -> None:
    docs = copy.deepcopy(_all_docs())
    ing = next(d for d in docs if d["kind"] == "Ingress")
    ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"name": "metrics"}
    assert ingress_violations(docs)
    docs = copy.deepcopy(_all_docs())
    next(d for d in docs if d["kind"] == "Ingress")["spec"].pop("tls")
    assert ingress_violations(docs)


def test_every_service_names_its_metrics_port() -> None:
    for svc in [d for d in _all_docs() if d["kind"] == "Service"]:
        ports = {p["name"]: p for p in svc["spec"]["ports"]}
        assert ports["metrics"]["targetPort"] == "metrics", svc["metadata"]["name"]
        assert ports["metrics"]["port"] != ports["http"]["port"]
