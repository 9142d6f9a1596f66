from __future__ import annotations

import pytest

from services.kit.auth import Principal, issue_token, read_token
from services.kit.problems import ProblemError

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
        token = issue_token(principal, secret=SECRET, ttl_seconds=-5)
    elif mutate == "wrong-secret":
        token = issue_token(principal, secret="t" * 48)
    else:
        token = "not.a.jwt"
    with pytest.raises(ProblemError) as err:
        read_token(token, secret=SECRET)
    assert err.value.status == 401 and err.value.code == "invalid-token"
