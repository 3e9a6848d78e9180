"""Schemathesis over the OpenAPI document: no generated request makes a server error.

Every operation is exercised anonymously and with an admin's token (so the bodies of
write operations are reached, not only the 401), against a copy of the sample fund.
Cases are drawn with Hypothesis from schemathesis' strategy for each operation (its
pytest plugin does not load under this pytest), a fixed number per operation.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error

from pfund.api import API_PREFIX, create_app
from pfund.screening import lexicon
from pfund.services import accounts
from pfund.services.runtime import Runtime
from tests.api.conftest import settings_for

EXAMPLES = 30


def test_no_generated_request_makes_a_server_error(db_url: str, app_rt: Runtime) -> None:
    # rigour's name taggers load once per process (about 8 CPU seconds). Loaded inside
    # the first screening request, they could outlast the client's 10 s read timeout on
    # a busy machine (as under pytest-xdist), and Hypothesis would report a flaky case.
    lexicon.load()
    app = create_app(settings_for(db_url), runtime=app_rt)
    token = accounts.issue_token(app_rt, "ada", label="schemathesis").token
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [o for o in operations if "/donors" in o.path]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,  # the same cases on every run, so CI is never flaky
        )
        def no_server_error(case: Case) -> None:  # type: ignore[type-arg]
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error])

        no_server_error()
