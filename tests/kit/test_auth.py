from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from services.kit.auth import (
    LEEWAY_SECONDS,
    Principal,
    issue_token,
    read_token,
    signing_key,
    verifying_key,
)
from services.kit.problems import ProblemError
from services.kit.settings import KitSettings
from tests.api.auth_helpers import ec_key

SECRET = "s" * 48


def test_token_round_trip() -> None:
    token = issue_token(Principal(sub="u1", role="unit_reviewer", org_id="o1"), secret=SECRET)
    assert read_token(token, secret=SECRET) == Principal(
        sub="u1", role="unit_reviewer", org_id="o1"
    )


@pytest.mark.parametrize("mutate", ["expired", "wrong-secret", "garbage"])
def test_bad_tokens_are_401_problems(mutate: str) -> None:
    principal = Principal(sub="u1", role="applicant")
    if mutate == "expired":
        token = issue_token(principal, secret=SECRET, ttl_seconds=-120)  # past the leeway
    elif mutate == "wrong-secret":
        token = issue_token(principal, secret="t" * 48)
    else:
        token = "not.a.jwt"
    with pytest.raises(ProblemError) as err:
        read_token(token, secret=SECRET)
    assert err.value.status == 401 and err.value.code == "invalid-token"


def test_a_verified_token_is_refused_with_another_key_or_audience() -> None:
    """A token once verified (and remembered) still passes only what it was verified
    against: another key or audience decodes it again, and refuses it."""
    token = issue_token(Principal(sub="u2", role="applicant"), secret=SECRET)
    assert read_token(token, secret=SECRET).sub == "u2"
    assert read_token(token, secret=SECRET).sub == "u2"
    for other in ({"secret": "t" * 48}, {"secret": SECRET, "audience": "zhicheng-other"}):
        with pytest.raises(ProblemError) as err:
            read_token(token, **other)
        assert err.value.code == "invalid-token"


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    # Valid for about one more second (its `exp` is just inside the leeway).
    token = issue_token(
        Principal(sub="u3", role="applicant"), secret=SECRET, ttl_seconds=1 - LEEWAY_SECONDS
    )
    assert read_token(token, secret=SECRET).sub == "u3"
    time.sleep(2.1)
    with pytest.raises(ProblemError) as err:
        read_token(token, secret=SECRET)
    assert err.value.code == "invalid-token"


def test_a_remembered_principal_cannot_be_changed_by_a_caller() -> None:
    token = issue_token(Principal(sub="u4", role="applicant"), secret=SECRET)
    first = read_token(token, secret=SECRET)
    with pytest.raises(ValidationError):
        first.sub = "changed"
    assert read_token(token, secret=SECRET).sub == "u4"


def _es256_pair() -> tuple[str, str]:
    return ec_key()


def test_es256_tokens_verify_with_the_public_key_only() -> None:
    private, public = _es256_pair()
    settings = KitSettings(jwt_algorithm="ES256", jwt_private_key=private, jwt_public_key=public)
    principal = Principal(sub="portal-1", role="service")
    token = issue_token(principal, secret=signing_key(settings), algorithm="ES256")
    assert read_token(token, secret=verifying_key(settings), algorithm="ES256") == principal
    # A token signed by another key, or an HS256 token, is refused.
    other, _ = _es256_pair()
    forged = issue_token(principal, secret=other, algorithm="ES256")
    with pytest.raises(ProblemError):
        read_token(forged, secret=verifying_key(settings), algorithm="ES256")
    hs = issue_token(principal, secret="x" * 48, algorithm="HS256")
    with pytest.raises(ProblemError):
        read_token(hs, secret=verifying_key(settings), algorithm="ES256")


def test_es256_without_a_public_key_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="JWT_PUBLIC_KEY"):
        KitSettings(jwt_algorithm="ES256")


def test_a_verifier_without_a_private_key_cannot_sign() -> None:
    _, public = _es256_pair()
    with pytest.raises(RuntimeError):
        signing_key(KitSettings(jwt_algorithm="ES256", jwt_public_key=public))


def _raw(claims: dict, *, alg: str = "HS256", key: str = SECRET) -> str:
    import jwt as pyjwt

    return pyjwt.encode(claims, key if alg != "none" else None, algorithm=alg)


def _claims(**overrides) -> dict:
    import time

    now = int(time.time())
    base = {
        "sub": "u1",
        "role": "applicant",
        "iss": "zhicheng",
        "aud": "zhicheng-api",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_a_well_formed_raw_token_is_read() -> None:
    assert read_token(_raw(_claims()), secret=SECRET).sub == "u1"


@pytest.mark.parametrize(
    "case",
    ["alg-none", "wrong-audience", "wrong-issuer", "no-audience", "expired", "not-yet-valid"],
)
def test_tokens_that_must_be_refused(case: str) -> None:
    import time

    now = int(time.time())
    token = {
        "alg-none": lambda: _raw(_claims(), alg="none"),
        "wrong-audience": lambda: _raw(_claims(aud="another-api")),
        "wrong-issuer": lambda: _raw(_claims(iss="someone-else")),
        "no-audience": lambda: _raw(_claims(aud=None)),
        "expired": lambda: _raw(_claims(iat=now - 3600, nbf=now - 3600, exp=now - 600)),
        "not-yet-valid": lambda: _raw(_claims(nbf=now + 600, iat=now + 600, exp=now + 900)),
    }[case]()
    with pytest.raises(ProblemError) as err:
        read_token(token, secret=SECRET)
    assert err.value.status == 401 and err.value.code == "invalid-token"


def test_portal_claims_round_trip() -> None:
    principal = Principal(
        sub="client:gx-portal",
        role="portal",
        client_id="gx-portal",
        scopes=["eligibility:evaluate"],
        jurisdiction=["450200"],
    )
    token = issue_token(principal, secret=SECRET)
    back = read_token(token, secret=SECRET)
    assert back == principal and back.has_scope("eligibility:evaluate")
    assert not back.has_scope("declarations:read")
