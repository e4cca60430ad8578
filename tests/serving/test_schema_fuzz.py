"""Schemathesis over the OpenAPI schema: whatever a client sends, the API never answers 5xx.

The schema is loaded from a live app inside the test (it needs the trained registry), and
each operation's Hypothesis strategy is driven directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from serving.app import create_app
from tests.helpers import role_keys, serve_settings

# A real process or a whole notebook: `make test` runs it, `make test-fast` skips it.
pytestmark = pytest.mark.slow
READ_TIMEOUT_SECONDS = 300


def test_no_generated_request_yields_a_server_error(
    registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    config = serve_settings(world_dir, tmp_path, registry_uri)
    key = role_keys(config)["admin"]
    app = create_app(config)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    assert app.state.holder.loaded.wait(300) and app.state.holder.engine is not None
    failures: list[str] = []
    operations = 0
    sent: set[str] = set()  # requests as the server receives them, each sent once
    # suspending stops every suggestion: fuzz it last, so the others are fuzzed while served
    every = sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.path == "/v1/admin/suspend")  # fmt: skip
    for operation in every:
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def no_5xx(case: Any) -> None:
            # Every call carries the admin's key, whatever key header was generated, so cases
            # differing only in it are one request: sent once (an operation without
            # parameters, such as a reload, which loads the whole champion, was otherwise
            # sent 40 times alike).
            request = repr((case.method, case.path, case.path_parameters, case.query, case.body, case.cookies,
                            sorted((k.lower(), v) for k, v in (case.headers or {}).items() if k.lower() != "x-api-key")))  # fmt: skip
            if request in sent:
                return
            sent.add(request)
            # a reload loads the whole champion: on a busy 2-core CI it outlasts the client's
            # default 10 s read timeout, which is slowness, not the server error sought here
            response = case.call(headers={"X-API-Key": key}, timeout=READ_TIMEOUT_SECONDS)
            suspended = response.status_code == 503 and "suggestions suspended by" in response.text
            if response.status_code >= 500 and not suspended:  # the documented refusal
                failures.append(f"{case.method} {case.path} {case.body!r}: {response.status_code} {response.text[:200]}")  # fmt: skip

        no_5xx()
    assert operations >= 8
    assert not failures, "\n".join(failures[:10])
