"""The Kubernetes settings against the production checks: what `kubectl apply -f deploy/k8s/`
applies holds no placeholder, each workload is given only the secrets its process's
settings class reads, the Secret template as it stands is refused by every process that
reads it (naming each placeholder setting), and the template filled in with real values
is accepted by every process, so it carries every secret the processes need."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import ValidationError

from services.api.certificates.signing import private_key_setting
from services.api.config import ApiSettings
from services.documents.config import DocumentsSettings
from services.kit.settings import (
    MigrationSettings,
    ProcessSettings,
    is_placeholder,
    url_password,
)
from services.notify.config import NotifySettings
from services.rules.config import RulesSettings
from services.web.config import WebSettings
from tests.deploy.test_deploy_files import DEPLOY, _k8s_docs

# The settings each entry point builds, by the module deploy/ runs.
SETTINGS = {
    "services.api.main": ApiSettings,
    "services.rules.main": RulesSettings,
    "services.documents.main": DocumentsSettings,
    "services.notify.worker": NotifySettings,
    "scripts.migrate": MigrationSettings,
    "services.web.main": WebSettings,
}


def _data(doc: dict) -> dict[str, str]:
    if doc.get("stringData"):
        return {k: str(v) for k, v in doc["stringData"].items()}
    if doc["kind"] == "Secret":  # a Secret's `data` is base64, a ConfigMap's plain
        return {k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()}
    return {k: str(v) for k, v in (doc.get("data") or {}).items()}


def _placeholder(value: str) -> bool:
    password = url_password(value) if "://" in value else None
    return is_placeholder(value) or (password is not None and is_placeholder(password))


def _settings_class(command: list[str]) -> type[ProcessSettings]:
    module = next(part.partition(":")[0] for part in command if "." in part)
    return next(cls for prefix, cls in SETTINGS.items() if module.startswith(prefix))


def _secret_settings(cls: type[ProcessSettings]) -> set[str]:
    """The settings a class treats as secret (env names): the secrets it checks in
    production, the values that go with them (key ids, access key ids), the optional
    secrets of a provider, and the URLs that may carry a password."""
    names: set[str] = set()
    for klass in cls.__mro__:
        names |= set(klass.__dict__.get("secret_fields", {}))
        names |= set(klass.__dict__.get("placeholder_checked", ()))
        names |= set(klass.__dict__.get("optional_secrets", ()))
    held = cls(_env_file=None, environment="test")
    names |= set(held._secrets_in_use()) | set(held._urls_with_passwords())
    return {n.upper() for n in names if n in cls.model_fields}


def test_the_migration_runs_on_its_own_settings() -> None:
    from scripts import migrate

    assert migrate.MigrationSettings is SETTINGS["scripts.migrate"]


def test_each_workload_is_given_only_the_secrets_its_process_reads() -> None:
    """Every key of every Secret a Deployment or Job mounts is a secret setting of the
    settings class its command builds; the eligibility service mounts none."""
    secrets = _template()
    given: dict[str, set[str]] = {}
    for doc in _k8s_docs():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for c in doc["spec"]["template"]["spec"]["containers"]:
            cls = _settings_class(c["command"])
            allowed = _secret_settings(cls)
            refs = [r["secretRef"]["name"] for r in c.get("envFrom", []) if "secretRef" in r]
            keys = {k for ref in refs for k in secrets[ref]}
            assert keys <= allowed, (doc["metadata"]["name"], sorted(keys - allowed))
            # Nor from a Secret key by key.
            for env in c.get("env", []):
                assert "secretKeyRef" not in env.get("valueFrom", {}) or env["name"] in allowed
            given[doc["metadata"]["name"]] = keys
    # The eligibility service holds only the key that checks the gateway's service tokens.
    assert given["rules"] == {"RULES_SERVICE_KEY"}
    # The owner's URL and the store's keys; no token, personal-data or app-role secret.
    assert given["zhicheng-migrate"] == {"MIGRATION_DATABASE_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
    assert given["documents"] == {
        "DATABASE_URL",
        "S3_ACCESS_KEY",
        "S3_SECRET_KEY",
        "DOCUMENTS_SERVICE_KEY",
    }
    # Every Secret of the template is mounted by some workload.
    mounted = {
        r["secretRef"]["name"]
        for d in _k8s_docs()
        if d["kind"] in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"]["containers"]
        for r in c.get("envFrom", [])
        if "secretRef" in r
    }
    assert mounted == set(secrets)


def _workloads(
    secret_values: dict[str, dict[str, str]],
) -> list[tuple[str, type[ProcessSettings], dict[str, str]]]:
    """(name, settings class, environment) of every Deployment and Job in deploy/k8s/, its
    environment assembled as Kubernetes would from the ConfigMap and the given Secrets."""
    docs = _k8s_docs()
    config_maps = {d["metadata"]["name"]: _data(d) for d in docs if d["kind"] == "ConfigMap"}
    out = []
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for c in doc["spec"]["template"]["spec"]["containers"]:
            env: dict[str, str] = {}
            for ref in c.get("envFrom", []):
                if "configMapRef" in ref:
                    env.update(config_maps[ref["configMapRef"]["name"]])
                else:
                    env.update(secret_values[ref["secretRef"]["name"]])
            env.update({e["name"]: e["value"] for e in c.get("env", []) if "value" in e})
            cls = _settings_class(c["command"])
            out.append((doc["metadata"]["name"], cls, env))
    return out


def _template() -> dict[str, dict[str, str]]:
    docs = _k8s_docs(with_templates=True)
    return {d["metadata"]["name"]: _data(d) for d in docs if d["kind"] == "Secret"}


def _build(cls: type[ProcessSettings], env: dict[str, str]) -> ProcessSettings:
    return cls(_env_file=None, **{k.lower(): v for k, v in env.items()})


def test_the_applied_directory_holds_no_secret_and_no_placeholder() -> None:
    docs = _k8s_docs()
    assert not [d["metadata"]["name"] for d in docs if d["kind"] == "Secret"]
    assert (DEPLOY / "templates" / "k8s-secrets.yaml").is_file()
    found = []
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            found += [k for k, v in _data(doc).items() if _placeholder(v)]
        if doc["kind"] in ("Deployment", "Job"):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                found += [e["name"] for e in c.get("env", []) if _placeholder(e.get("value", ""))]
    assert not found
    assert all(d["data"]["ENVIRONMENT"] == "production" for d in docs if d["kind"] == "ConfigMap")


def test_every_process_refuses_the_template_as_it_stands_naming_each_setting() -> None:
    template = _template()
    placeholders = {k for values in template.values() for k, v in values.items() if _placeholder(v)}
    assert {"JWT_SECRET", "S3_SECRET_KEY", "DATABASE_URL", "PII_KEYS"} <= placeholders
    assert {"RULES_SERVICE_KEY", "DOCUMENTS_SERVICE_KEY"} <= placeholders
    refused = set()
    for name, cls, env in _workloads(template):
        held = {k for k in env if k in placeholders and k.lower() in cls.model_fields}
        if not held:
            assert _build(cls, env).environment == "production", name
            continue
        with pytest.raises(ValidationError) as err:
            _build(cls, env)
        message = str(err.value)
        assert "production settings refuse these secrets" in message, (name, message)
        for key in held:
            assert f"{key.lower()}: a placeholder" in message, (name, key, message)
        refused.add(name)
    # Every process that holds a secret (the eligibility service its service-token key).
    assert refused == {"api", "rules", "documents", "notify", "zhicheng-migrate", "web"}


def _real(key: str, value: str) -> str:
    if "://" in value:
        return value.replace("CHANGE-ME", secrets.token_urlsafe(24))
    return {
        "PII_KEYS": "k2026:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "PII_KEY_ID": "k2026",
        "PII_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "S3_ACCESS_KEY": "zhicheng-prod",
        "CERTIFICATE_SIGNING_KEY": private_key_setting(
            "cert2026", ed25519.Ed25519PrivateKey.generate()
        ),
    }.get(key, secrets.token_urlsafe(32))


def test_every_process_accepts_the_template_filled_in() -> None:
    filled = {
        name: {k: _real(k, v) for k, v in values.items()} for name, values in _template().items()
    }
    for name, cls, env in _workloads(filled):
        assert _build(cls, env).environment == "production", name
