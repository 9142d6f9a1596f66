"""The Kubernetes settings against the production checks: what `kubectl apply -f deploy/k8s/`
applies holds no placeholder, each workload is given only the secrets its process's
settings class reads (the eligibility service none), the templates as they stand (the
Secrets, and the ConfigMap of the gateway's public service-token key) are refused by every
process that reads them (naming each placeholder setting), and the templates filled in
with real values are accepted by every process, so they carry everything it needs."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import ValidationError

from services.api.certificates.signing import private_key_setting
from services.api.config import ApiSettings
from services.documents.config import DocumentsSettings
from services.kit.service_tokens import private_key_setting as token_private_key
from services.kit.service_tokens import public_key_setting
from services.kit.settings import (
    DEV_DATABASE_URL,
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
    settings class its command builds; the eligibility service mounts no Secret at all."""
    secrets = _template()
    given: dict[str, set[str]] = {}
    for doc in _k8s_docs():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for c in doc["spec"]["template"]["spec"]["containers"]:
            cls = _settings_class(c["command"])
            allowed = _secret_settings(cls)
            refs = [r["secretRef"]["name"] for r in c.get("envFrom", []) if "secretRef" in r]
            if doc["metadata"]["name"] == "rules":
                volumes = doc["spec"]["template"]["spec"].get("volumes", [])
                assert not refs and not [v for v in volumes if "secret" in v], refs
            keys = {k for ref in refs for k in secrets[ref]}
            assert keys <= allowed, (doc["metadata"]["name"], sorted(keys - allowed))
            # Nor from a Secret key by key.
            for env in c.get("env", []):
                assert "secretKeyRef" not in env.get("valueFrom", {}) or env["name"] in allowed
            given[doc["metadata"]["name"]] = keys
    # The eligibility service holds no secret: the gateway's public key is configuration.
    assert given["rules"] == set()
    # The private key of the service tokens is the gateway's alone.
    holders = {name for name, keys in given.items() if "SERVICE_TOKEN_PRIVATE_KEY" in keys}
    assert holders == {"api"}
    # The owner's URL and the store's keys; no token, personal-data or app-role secret.
    assert given["zhicheng-migrate"] == {"MIGRATION_DATABASE_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
    assert given["documents"] == {
        "DATABASE_URL",
        "S3_ACCESS_KEY",
        "S3_SECRET_KEY",
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


def test_the_gateways_public_key_is_configuration_for_the_two_services_only() -> None:
    """SERVICE_TOKEN_PUBLIC_KEY comes from a ConfigMap (no Secret holds it) that only the
    eligibility and document services mount."""
    config_maps = _template("ConfigMap")
    assert set(config_maps["zhicheng-service-token"]) == {"SERVICE_TOKEN_PUBLIC_KEY"}
    assert not any("SERVICE_TOKEN_PUBLIC_KEY" in keys for keys in _template().values())
    mounting = {
        d["metadata"]["name"]
        for d in _k8s_docs()
        if d["kind"] in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"]["containers"]
        for r in c.get("envFrom", [])
        if r.get("configMapRef", {}).get("name") == "zhicheng-service-token"
    }
    assert mounting == {"rules", "documents"}


def _workloads(
    secret_values: dict[str, dict[str, str]],
    template_config: dict[str, dict[str, str]],
) -> list[tuple[str, type[ProcessSettings], dict[str, str]]]:
    """(name, settings class, environment) of every Deployment and Job in deploy/k8s/, its
    environment assembled as Kubernetes would from the ConfigMaps (deploy/k8s/'s and the
    given values of the templates') and the given Secrets."""
    docs = _k8s_docs()
    config_maps = {d["metadata"]["name"]: _data(d) for d in docs if d["kind"] == "ConfigMap"}
    config_maps |= template_config
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


def _template(kind: str = "Secret") -> dict[str, dict[str, str]]:
    """The data of the templates' Secrets (or ConfigMaps), by name."""
    applied = {d["metadata"]["name"] for d in _k8s_docs()}
    docs = _k8s_docs(with_templates=True)
    return {
        d["metadata"]["name"]: _data(d)
        for d in docs
        if d["kind"] == kind and d["metadata"]["name"] not in applied
    }


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
    template, config = _template(), _template("ConfigMap")
    placeholders = {
        k
        for values in [*template.values(), *config.values()]
        for k, v in values.items()
        if _placeholder(v)
    }
    assert {"JWT_SECRET", "S3_SECRET_KEY", "DATABASE_URL", "PII_KEYS"} <= placeholders
    assert {"SERVICE_TOKEN_PRIVATE_KEY", "SERVICE_TOKEN_PUBLIC_KEY"} <= placeholders
    refused = set()
    for name, cls, env in _workloads(template, config):
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
    # Every process that holds a secret, and the eligibility service for its placeholder
    # public key.
    assert refused == {"api", "rules", "documents", "notify", "zhicheng-migrate", "web"}


# The gateway's service-token key pair, as ops would generate it: the private half in the
# gateway's Secret, the public half in the services' ConfigMap.
_GATEWAY_KEY = ed25519.Ed25519PrivateKey.generate()


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
        "SERVICE_TOKEN_PRIVATE_KEY": token_private_key(_GATEWAY_KEY),
        "SERVICE_TOKEN_PUBLIC_KEY": public_key_setting(_GATEWAY_KEY),
    }.get(key, secrets.token_urlsafe(32))


def test_every_process_accepts_the_template_filled_in() -> None:
    filled, config = (
        {
            name: {k: _real(k, v) for k, v in values.items()}
            for name, values in _template(kind).items()
        }
        for kind in ("Secret", "ConfigMap")
    )
    for name, cls, env in _workloads(filled, config):
        assert _build(cls, env).environment == "production", name


@pytest.mark.parametrize(
    "url,why",
    [
        (DEV_DATABASE_URL, "the development default"),
        ("postgresql+asyncpg://zhicheng_app@postgres:5432/zhicheng", "no password"),
        (
            "postgresql+asyncpg://zhicheng_app:short-pass@postgres:5432/zhicheng",
            "a password shorter than 16 characters",
        ),
    ],
)
def test_every_process_refuses_a_development_or_weak_database_url(url: str, why: str) -> None:
    """The filled template with its database URL (the app role's, or the owner's for the
    migration Job) swapped for the development stack's, one without a password or one
    with a short password: every process that connects refuses it, naming the setting."""
    filled, config = (
        {
            name: {k: _real(k, v) for k, v in values.items()}
            for name, values in _template(kind).items()
        }
        for kind in ("Secret", "ConfigMap")
    )
    refused = set()
    for values in filled.values():
        for key in ("DATABASE_URL", "MIGRATION_DATABASE_URL"):
            if key in values:
                values[key] = url
    for name, cls, env in _workloads(filled, config):
        key = "MIGRATION_DATABASE_URL" if "MIGRATION_DATABASE_URL" in env else "DATABASE_URL"
        if key not in env:
            continue
        with pytest.raises(ValidationError) as err:
            _build(cls, env)
        assert f"{key.lower()}: {why}" in str(err.value), (name, str(err.value))
        refused.add(name)
    assert refused == {"api", "documents", "notify", "zhicheng-migrate"}
