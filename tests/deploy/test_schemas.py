"""Every Kubernetes manifest in deploy/ validates against the API's own schemas, offline
and strictly: an unknown field (a misspelling the API server would drop or refuse) fails.

The core kinds (deploy/k8s/*.yaml, the Secret template in deploy/templates/) against the
Kubernetes JSON schemas that `kubernetes-validate` bundles, in their strict form (every
object closed), for the oldest Kubernetes minor the manifests target and the newest the
package bundles: an API removed or a field renamed in between fails too. The Prometheus
Operator's kinds (deploy/monitoring/) are custom resources, not in those schemas: they
validate against a committed subset of the operator's CRD schemas
(tests/deploy/schemas/monitoring.coreos.com-v1.json, every object closed as well).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tests.deploy.test_deploy_files import DEPLOY, _k8s_docs

# The oldest Kubernetes minor the manifests are for, and the newest the package bundles.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
CRD_SCHEMAS = Path(__file__).parent / "schemas" / "monitoring.coreos.com-v1.json"


def _name(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def _strict(doc: dict, version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


def _monitoring_docs() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "monitoring").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _crd_validator(kind: str) -> Draft202012Validator:
    schema = json.loads(CRD_SCHEMAS.read_text())
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{kind}"})


CORE = _k8s_docs(with_templates=True)
MONITORING = _monitoring_docs()


def test_every_manifest_is_read() -> None:
    kinds = {d["kind"] for d in CORE}
    # Each kind of workload and its neighbours; the Secrets only from the template.
    assert {"Deployment", "Service", "Job", "Secret", "Ingress", "NetworkPolicy"} <= kinds
    assert {d["kind"] for d in MONITORING} == {"ServiceMonitor", "PrometheusRule"}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("doc", CORE, ids=_name)
def test_core_manifests_validate_strictly(doc: dict, version: str) -> None:
    _strict(doc, version)


@pytest.mark.parametrize(
    ("where", "misspelt"),
    [
        # A container field misspelt: kubectl would warn and the API server drop it.
        (("spec", "template", "spec", "containers", 0), "imagePullPolice"),
        # A pod-level security setting misspelt: the pod would run without it.
        (("spec", "template", "spec"), "securityContex"),
    ],
)
def test_a_misspelt_field_is_rejected(where: tuple, misspelt: str) -> None:
    [deployment, *_] = [d for d in CORE if d["kind"] == "Deployment"]
    _strict(deployment, KUBERNETES_VERSIONS[0])
    broken = copy.deepcopy(deployment)
    node = broken
    for step in where:
        node = node[step]
    node[misspelt] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError, match=misspelt):
        _strict(broken, KUBERNETES_VERSIONS[0])


def test_a_wrong_type_and_an_unknown_kind_are_rejected() -> None:
    [deployment, *_] = [d for d in CORE if d["kind"] == "Deployment"]
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError, match="not of type"):
        _strict(broken, KUBERNETES_VERSIONS[0])
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        _strict({**deployment, "apiVersion": "apps/v1beta9"}, KUBERNETES_VERSIONS[0])


@pytest.mark.parametrize("doc", MONITORING, ids=_name)
def test_monitoring_resources_validate_against_the_crd_subset(doc: dict) -> None:
    _crd_validator(doc["kind"]).validate(doc)


def test_the_crd_subset_rejects_a_misspelt_field() -> None:
    by_kind = {d["kind"]: d for d in MONITORING}
    monitor = copy.deepcopy(by_kind["ServiceMonitor"])
    monitor["spec"]["endpoints"][0]["intervall"] = "30s"
    with pytest.raises(ValidationError, match="intervall"):
        _crd_validator("ServiceMonitor").validate(monitor)
    rule = copy.deepcopy(by_kind["PrometheusRule"])
    rule["spec"]["groups"][0]["rules"][0]["for"] = "ten minutes"
    with pytest.raises(ValidationError, match="does not match"):
        _crd_validator("PrometheusRule").validate(rule)
    rule = copy.deepcopy(by_kind["PrometheusRule"])
    del rule["spec"]["groups"][0]["rules"][0]["expr"]
    with pytest.raises(ValidationError, match="'expr' is a required property"):
        _crd_validator("PrometheusRule").validate(rule)
