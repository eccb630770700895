"""The API against its own OpenAPI schema: schemathesis generates requests
for every operation from the live schema (valid ones, and invalid ones: wrong
types, missing fields, values out of range) and sends them to the
application in-process; every answer must be what the schema says.

- no 5xx, whatever was sent;
- the status code is one the operation documents;
- the content type is one documented for that status, and a JSON body
  matches its documented schema (errors included: `{"detail", "code"}`);
- documented response headers (Retry-After) are there and well-formed.

Reads go out anonymously or as a member; writes always as a member, with a
token, so they reach the services and not only the permission check. The
community is founded and has a draft and a proposal in its vote, so small
generated ids name real rows.

The examples are bounded (FUZZ_EXAMPLES per operation and per kind, valid
or invalid; default 12) and derandomized, so that every run sends the same
requests and the whole file takes about 20 s on SQLite and under 2 minutes on
PostgreSQL on two cores. Search harder with, e.g.,
`FUZZ_EXAMPLES=400 .venv/bin/pytest tests/test_api_fuzz.py`.
"""

from __future__ import annotations

import collections
import functools
import os

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.proposals.helpers import draft, voting_now

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
SAFE = ("GET", "HEAD", "OPTIONS")

pytestmark = pytest.mark.django_db


def operations() -> list[str]:
    """ "METHOD /path" of every operation, from the schema the code generates."""
    document = SchemaGenerator().get_schema(public=True)
    return [
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    ]


SENT = collections.Counter()


def application():
    """Django's WSGI application, counting the requests it answers."""
    handler = WSGIHandler()

    def app(environ, start_response):
        # Werkzeug's test client sends no client address, which a server
        # always has (the login lockout counts by it).
        environ["REMOTE_ADDR"] = environ.get("REMOTE_ADDR") or "127.0.0.1"
        SENT["requests"] += 1
        return handler(environ, start_response)

    return app


@pytest.fixture
def in_process():
    """The application runs in the test's thread, on the test's connection and
    inside its transaction (rolled back after the test). A server closes its
    connection after each request, which would end that transaction, so
    that is switched off meanwhile, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@functools.cache
def live_schema():
    """The schema as the running application serves it, sent to in-process."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application())


@pytest.fixture
def member_token(community, in_process):
    alice = community["alice"]
    draft(alice, title="A draft of alice's")
    voting_now(alice)
    return Token.objects.create(user=community["carol"]).key


@pytest.mark.parametrize("label", operations())
def test_every_answer_is_one_the_schema_documents(label, member_token):
    operation = live_schema().find_operation_by_label(label)
    assert operation is not None, label
    before = SENT["requests"]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode), anonymous=st.booleans())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            database=None,
        )
        def answers_as_documented(case, anonymous):
            headers = {}
            if not (anonymous and case.method.upper() in SAFE):
                headers["Authorization"] = f"Token {member_token}"
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answers_as_documented()
        except hypothesis.errors.Unsatisfiable:
            # An operation with nothing to get wrong (no parameters, no body)
            # has no invalid request to generate.
            if mode is GenerationMode.POSITIVE:
                raise
    assert SENT["requests"] > before, f"no request was sent for {label}"
