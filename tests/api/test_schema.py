"""The live OpenAPI schema against the running API: schemathesis generates
requests from it (valid and invalid), and every answer must be documented,
match its schema, and never be a server error."""

import collections
import time
from contextlib import contextmanager

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from openapi_schema_validator import OAS31Validator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import snapshots
from tests.factories import (
    OrganisationFactory,
    PartnershipFactory,
    SourceFactory,
    SystemFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(9)]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES_PER_OPERATION = 20  # valid and invalid each: 19 operations, > 500 requests


class CountingApp:
    """The site's WSGI application, counting answers by status."""

    def __init__(self):
        self.app = WSGIHandler()
        self.statuses = collections.Counter()
        self.seconds = 0.0

    def __call__(self, environ, start_response):
        def counting_start_response(status, headers, *args):
            self.statuses[int(status.split()[0])] += 1
            return start_response(status, headers, *args)

        started = time.perf_counter()
        try:
            return list(self.app(environ, counting_start_response))
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def in_test_transaction():
    """Keep the test's database connection open across requests, as
    Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_schema_under_generated_requests(demo, settings, tmp_path):
    snapshots.build()
    app = CountingApp()
    with in_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 19
        failures = []
        timings = {}
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = operation.as_strategy(generation_mode=mode)

                @hypothesis.given(case=strategy)
                @hypothesis.settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(hypothesis.HealthCheck),
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                )
                def run(case):
                    case.call_and_validate(checks=CHECKS)

                started = time.perf_counter()
                try:
                    run()
                except hypothesis.errors.Unsatisfiable:
                    # Nothing to make invalid: an address with no parameters.
                    assert mode is GenerationMode.NEGATIVE, operation.label
                except Exception as error:
                    failures.append(f"{operation.label} ({mode.value}): {error}")
                timings[f"{operation.label} {mode.value}"] = (
                    time.perf_counter() - started
                )
    requests = sum(app.statuses.values())
    print(
        f"\nschemathesis: {requests} requests in {app.seconds:.1f} s of serving, "
        f"by status {dict(app.statuses)}"
    )
    for label, seconds in sorted(timings.items(), key=lambda item: -item[1])[:8]:
        print(f"  {seconds:5.1f} s  {label}")
    assert not failures, "\n\n".join(failures)
    assert requests >= 500
    assert not [status for status in app.statuses if status >= 500]


def test_every_answer_validates_against_its_schema_by_a_strict_validator(client, demo):
    """A JSON Schema validator reads the schema as written (no leniency for
    3.0's "nullable" beside a reference): the answers with a null start, a
    record with no home country, a system with no origin and a source with
    no address still validate, each list and each of its items' details."""
    OrganisationFactory(name="Unknown suppliers", home_country=None)
    SystemFactory(name="Unnamed drone", origin_country=None)
    undated = PartnershipFactory(name="Undated", start_date=None, end_date=None)
    SourceFactory(partnership=undated, url="", title="A note")
    spec = client.get("/api/v1/schema/").json()
    assert spec["openapi"].startswith("3.1")

    def errors(path_template: str, data) -> list[str]:
        content = spec["paths"][path_template]["get"]["responses"]["200"]["content"]
        schema = {**content["application/json"]["schema"], **spec}
        return [error.message for error in OAS31Validator(schema).iter_errors(data)]

    assert not errors("/api/v1/", client.get("/api/v1/").json())
    checked = 0
    for path in spec["paths"]:
        if "{" in path or "download" in path or path == "/api/v1/":
            continue
        page = client.get(path).json()
        assert not errors(path, page), (path, errors(path, page)[:3])
        (detail,) = [
            p
            for p in spec["paths"]
            if p.startswith(path) and p.count("/") == path.count("/") + 1
        ]
        for item in page["results"]:
            answer = client.get(item["url"].removeprefix("http://testserver")).json()
            assert not errors(detail, answer), (item["url"], errors(detail, answer)[:3])
            checked += 1
    assert checked >= 10
