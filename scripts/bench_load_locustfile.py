"""Locust users for `scripts/bench_load.py` (run by it; not on its own, not a test).

The seed file (ZHICHENG_LOAD_SEED) holds what bench_load.py prepared on the gateway:
applicant tokens with drafts of their own, a reviewer token and submitted declarations
waiting for it, an eligibility request body and a scan to upload. The run stops at the
time limit or after ZHICHENG_LOAD_MAX_REQUESTS requests, whichever comes first.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

SEED = json.loads(Path(os.environ["ZHICHENG_LOAD_SEED"]).read_text(encoding="utf-8"))
# Two engineering specialties of the catalogue: an edit alternates between them.
SPECIALTIES = ("eng-mechanical", "eng-civil")
MAX_REQUESTS = int(os.environ.get("ZHICHENG_LOAD_MAX_REQUESTS", "0"))
SCAN = Path(SEED["scan"]).read_bytes()
_applicants = itertools.cycle(SEED["applicants"])
_submitted = list(SEED["submitted"])
_sent = itertools.count(1)
_scans = itertools.count(1)
_run: dict = {}


def _unique_scan() -> bytes:
    """The seed scan with a JPEG comment (COM) of its own: a declaration refuses the
    same bytes twice, and real applicants upload different pages."""
    comment = f"load {next(_scans)}".encode()
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return SCAN[:2] + segment + SCAN[2:]


@events.init.add_listener
def _keep(environment, **kwargs) -> None:
    _run["environment"] = environment


@events.request.add_listener
def _count(**kwargs) -> None:
    # The count bound: past it, stop every user (from a greenlet of its own, not this one).
    if MAX_REQUESTS and next(_sent) == MAX_REQUESTS:
        gevent.spawn(_run["environment"].runner.quit)


class _User(HttpUser):
    abstract = True
    wait_time = between(0.01, 0.05)


class Applicant(_User):
    """Checks eligibility, reads and edits a draft, uploads a scan."""

    weight = 5

    def on_start(self) -> None:
        me = next(_applicants)
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.drafts = itertools.cycle(me["drafts"])

    @task(4)
    def eligibility(self) -> None:
        self.client.post("/v1/eligibility/evaluate", json=SEED["evaluate"], headers=self.headers)

    @task(4)
    def read(self) -> None:
        self.client.get(
            f"/v1/declarations/{next(self.drafts)}",
            headers=self.headers,
            name="/v1/declarations/{id}",
        )

    @task(2)
    def write(self) -> None:
        did = next(self.drafts)
        url = f"/v1/declarations/{did}"
        current = self.client.get(url, headers=self.headers, name="/v1/declarations/{id}")
        if current.status_code != 200:
            return
        # A catalogue code (services/kit/specialties.yaml), so the edit is accepted.
        body = {"specialty": SPECIALTIES[current.json()["version"] % len(SPECIALTIES)]}
        headers = {**self.headers, "If-Match": current.headers["etag"]}
        self.client.patch(url, json=body, headers=headers, name="/v1/declarations/{id}")

    @task(1)
    def upload(self) -> None:
        did = next(self.drafts)
        self.client.post(
            f"/v1/declarations/{did}/documents",
            data={"kind": "title_certificate"},
            files={"file": ("scan.jpg", _unique_scan(), "image/jpeg")},
            headers=self.headers,
            name="/v1/declarations/{id}/documents",
        )


class Reviewer(_User):
    """Records the unit's review and passes a submitted declaration up; lists the queue."""

    weight = 1

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {SEED['reviewer']}"}

    @task(3)
    def review(self) -> None:
        if not _submitted:
            return self.queue()
        did = _submitted.pop()
        url = f"/v1/declarations/{did}"
        self.client.put(
            url + "/unit-review",
            json=SEED["unit_review"],
            headers=self.headers,
            name="/v1/declarations/{id}/unit-review",
        )
        headers = {**self.headers, "Idempotency-Key": f"load-approve-{did}"}
        self.client.post(
            url + "/approvals",
            json={"comment": "同意推荐"},
            headers=headers,
            name="/v1/declarations/{id}/approvals",
        )
        return None

    @task(1)
    def queue(self) -> None:
        self.client.get(
            "/v1/declarations",
            params={"status": "unit_review", "limit": 20},
            headers=self.headers,
            name="/v1/declarations?status=unit_review",
        )
