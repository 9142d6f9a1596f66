"""Secret params (a template's `secret`, e.g. the login code) leave storage once used.

The provider needs a secret param until it has taken the message; after that nothing
does: a `sent` message is never sent again, a final one is done, and one past its
`not_after` is moot (a code that arrives after it expired is useless). So every update
that moves a notice to one of DONE also sets `params = scrubbed_params()`, which
overwrites the secret params of that row's template with MASK (and leaves every other
template's params as they are). The sweeper scrubs the rest: secret notices past
`not_after` that are still pending (they expire) or whose send is in doubt.

Cancellation by a producer (services/kit/outbox.py) is for declaration reminders, which
carry no secret.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ARRAY, Text, case, cast, false, func, literal
from sqlalchemy.dialects.postgresql import JSONB

from services.kit.outbox import Notification
from services.notify.sms.templates import MASK, TEMPLATES

# Statuses in which no send will ever need the params again (all but created, retry,
# sending and sending_unknown, which may still lead to a send).
DONE = (
    "sent",
    "delivered",
    "permanent_failure",
    "temporary_failure",
    "technical_failure",
    "expired",
    "cancelled",
)
SECRET: dict[str, tuple[str, ...]] = {t.code: t.secret for t in TEMPLATES.values() if t.secret}
C = Notification.__table__.c


def scrubbed_params() -> Any:
    """SQL: the row's params with its template's secret params masked (if present)."""
    if not SECRET:
        return C.params
    mask = cast(literal(json.dumps(MASK)), JSONB)
    whens = []
    for code, names in SECRET.items():
        value = C.params
        for name in names:
            # create_missing false: a param the producer left out is not invented.
            path = cast(literal("{" + name + "}"), ARRAY(Text))
            value = func.jsonb_set(value, path, mask, false())
        whens.append((C.template_code == code, value))
    return case(*whens, else_=C.params)
