"""Every operation is reachable: the gateway includes its most-read routers first
(services/api/main.py), and FastAPI answers a path with the first route that matches it,
so a route included earlier must never take another's path."""

from __future__ import annotations

import re

from starlette.routing import Match


def _answering(app, method: str, path: str):
    """The route the app's router picks for this method and path, as it picks it."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    partial = None
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.NONE:
            continue
        if match == Match.PARTIAL:  # the path, another method: the router's fallback
            partial = partial or route
            continue
        while hasattr(route, "_match"):  # an included router: the route inside it
            _, _, route, _ = route._match(scope)
        return route
    return partial


async def test_every_operation_answers_its_own_path(client) -> None:
    app = client._transport.app  # the app behind the in-process client (tests/support.py)
    operations = app.openapi()["paths"]
    elsewhere = []
    for template, item in operations.items():
        # Each parameter as a value no literal segment has.
        path = re.sub(r"\{[^}]+\}", "7f3c0d2e-0000-4000-8000-000000000001", template)
        for method, operation in item.items():
            route = _answering(app, method.upper(), path)
            name = getattr(route, "name", None)
            if (
                name != operation["operationId"].rsplit(".", 1)[-1]
                or method.upper() not in route.methods
                or not template.endswith(route.path_format)
            ):
                elsewhere.append((method, template, getattr(route, "path_format", None)))
    assert len(operations) > 100
    assert elsewhere == []
