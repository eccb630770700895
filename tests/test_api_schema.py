"""The API's types are strict, and its OpenAPI schema tells the truth.

- Every serializer field the API's views take or give refuses a value of
  another JSON type that DRF would have coerced (123 for a string, "1" for an
  integer, "true" for a boolean): found by walking the operations of the
  URLconf, so a new endpoint with a stock DRF field fails here.
- The schema documents what the code answers: pages as pages, the one error
  shape, every error status where it can occur, the ranges of `limit`; and
  real answers over real data match it (tests/test_api_fuzz.py sends
  generated requests; here the data is rich: budgets, expenses, ballots).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers as drf
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from werkzeug.test import Client as WSGIClient

from kernel import serializers
from kernel.ids import MAX_ID
from proposals.models import Proposal
from tests.proposals.helpers import draft, hold_vote, voting_now
from tests.test_api_fuzz import application, in_process, live_schema  # noqa: F401 (fixture)
from tests.treasury.factories import BudgetFactory, ExpenseFactory, IncomeFactory

# --- Strict types -------------------------------------------------------------


def wrong_types(field) -> list:
    """Values of another JSON type than ``field`` takes, which DRF's stock
    field would coerce into one it takes."""
    if isinstance(field, drf.ChoiceField):
        keys = [key for key in field.choices if key != ""]
        wrong = []
        for key in keys:
            if isinstance(key, str) and key.isdigit():
                wrong.append(int(key))
            elif isinstance(key, int) and not isinstance(key, bool):
                wrong.append(str(key))
        return wrong
    if isinstance(field, drf.CharField):
        return [123, 1.5]
    if isinstance(field, drf.BooleanField):
        return ["true", 1]
    if isinstance(field, drf.IntegerField):
        return ["1", 1.0, True]
    if isinstance(field, drf.FloatField):
        return ["1.5", True]
    return []


def accepts(field, value) -> bool:
    try:
        field.to_internal_value(value)
    except (drf.ValidationError, DjangoValidationError):
        return False
    return True


def walk(serializer, path: str):
    """(path, field) for every field of ``serializer``, nested ones included."""
    serializer = force_instance(serializer)
    if isinstance(serializer, drf.ListSerializer):
        yield from walk(serializer.child, f"{path}[]")
        return
    for name, field in serializer.fields.items():
        where = f"{path}.{name}"
        yield where, field
        if isinstance(field, drf.BaseSerializer):
            yield from walk(field, where)
        elif isinstance(field, drf.ListField | drf.DictField):
            yield f"{where}[]", field.child


def loose_fields(serializer, name: str) -> list[str]:
    return [
        f"{path} takes {value!r}"
        for path, field in walk(serializer, name)
        for value in wrong_types(field)
        if accepts(field, value)
    ]


def api_serializers() -> dict[str, object]:
    """Every serializer the URLconf's API operations take or give, by
    "METHOD /path request|status"."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        schema = view.schema
        schema.method, schema.path = method.upper(), path
        label = f"{method.upper()} {path}"
        found[f"{label} request"] = schema.get_request_serializer()
        responses = schema.get_response_serializers()
        if not isinstance(responses, dict):
            responses = {200: responses}
        for status, response in responses.items():
            if isinstance(response, OpenApiResponse):
                response = response.response
            found[f"{label} {status}"] = response
    return {
        label: serializer
        for label, serializer in found.items()
        if isinstance(force_instance(serializer), drf.BaseSerializer)
    }


def test_no_api_serializer_field_takes_a_value_of_another_json_type():
    found = api_serializers()
    loose = [
        problem
        for label, serializer in found.items()
        for problem in loose_fields(serializer, label)
    ]
    assert not loose, loose


def test_the_walk_reaches_the_fields_that_take_input():
    paths = {
        path
        for label, serializer in api_serializers().items()
        for path, _field in walk(serializer, label)
    }
    for expected in (
        "POST /api/v1/auth/token/ request.username",
        "POST /api/v1/proposals/ request.title",
        "POST /api/v1/proposals/ request.budget_items[].amount_cents",
        "POST /api/v1/proposals/{id}/ballot/ request.choice",
        "GET /api/v1/proposals/{id}/ 200.title",  # a ModelSerializer's own field
    ):
        assert expected in paths


def test_the_walk_catches_a_stock_drf_field():
    class Loose(drf.Serializer):
        title = drf.CharField()
        count = drf.IntegerField()
        flag = drf.BooleanField()
        level = drf.ChoiceField(choices=["1", "2"])
        items = drf.ListField(child=drf.CharField())

    assert {problem.split(" takes")[0] for problem in loose_fields(Loose(), "Loose")} == {
        "Loose.title",
        "Loose.count",
        "Loose.flag",
        "Loose.level",
        "Loose.items[]",
    }


@pytest.mark.parametrize(
    ("field", "wrong", "right"),
    [
        (serializers.CharField(), [123, 1.5, True, None], "text"),
        (serializers.SlugField(), [123], "a-slug"),
        (serializers.EmailField(), [123], "a@example.org"),
        (serializers.IntegerField(), ["1", 1.0, True, MAX_ID + 1, -MAX_ID - 2], 7),
        (serializers.FloatField(), ["1.5", True], 2),
        (serializers.BooleanField(), ["true", 1, "yes"], False),
        (serializers.ChoiceField(choices=["1", "2"]), [1], "1"),
        (serializers.ChoiceField(choices=[1, 2]), ["1", True], 1),
    ],
)
def test_strict_fields_take_their_own_json_type_only(field, wrong, right):
    for value in wrong:
        with pytest.raises(drf.ValidationError):
            field.run_validation(value)
    assert field.run_validation(right) == right


def test_a_model_serializer_builds_strict_fields():
    class ProposalSerializer(serializers.ModelSerializer):
        class Meta:
            model = Proposal
            fields = ["id", "kind", "title", "body", "revision"]

    fields = ProposalSerializer().fields
    assert type(fields["title"]) is serializers.CharField
    assert type(fields["body"]) is serializers.CharField
    assert type(fields["kind"]) is serializers.ChoiceField
    assert type(fields["revision"]) is serializers.IntegerField
    assert type(fields["id"]) is serializers.BigIntegerField


# --- The schema -----------------------------------------------------------------


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(public=True)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


ERROR_REF = "#/components/schemas/Error"


def test_the_error_shape_is_one_component(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}
    assert error["properties"]["fields"]["additionalProperties"]["items"]["type"] == "string"


def test_every_error_status_is_documented_with_the_error_shape(document):
    for label, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                for media in response["content"].values():
                    assert media["schema"] == {"$ref": ERROR_REF}, (label, status)


def test_errors_are_documented_where_they_can_occur(document):
    for label, operation in operations(document):
        statuses = set(operation["responses"])
        method = label.split()[0]
        parameters = operation.get("parameters", [])
        assert "503" in statuses, label
        if any(p["in"] == "path" for p in parameters):
            assert "404" in statuses, label
        if any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
            assert "400" in statuses, label
        if "requestBody" in operation:
            assert {"413", "415"} <= statuses, label
        if method != "GET":
            assert "413" in statuses, label
        if label != "POST /api/v1/auth/token/":
            assert "403" in statuses, label  # a wrong token, anywhere
    token = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "429"} <= set(token)
    ballot = document["paths"]["/api/v1/proposals/{id}/ballot/"]["post"]["responses"]
    assert "409" in ballot and "voting_closed" in ballot["409"]["description"]


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/api/v1/treasury/transactions/", {"currency", "results", "next"}),
        ("/api/v1/treasury/accounts/", {"results", "next"}),
        ("/api/v1/treasury/budget-lines/", {"currency", "results", "next"}),
        ("/api/v1/proposals/", {"count", "next", "previous", "results"}),
    ],
)
def test_lists_are_documented_as_the_pages_they_are(document, path, keys):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    reference = content["application/json"]["schema"]["$ref"]
    page = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert page["type"] == "object"
    assert set(page["properties"]) == keys
    assert page["properties"]["results"]["type"] == "array"


def limited(document):
    for path, item in document["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["name"] == "limit":
                yield path, parameter["schema"]


def test_every_limit_documents_its_range(document):
    ranges = dict(limited(document))
    assert {
        "/api/v1/proposals/",
        "/api/v1/treasury/transactions/",
        "/api/v1/treasury/accounts/",
        "/api/v1/treasury/budget-lines/",
    } <= set(ranges)
    for path, schema in ranges.items():
        assert schema["type"] == "integer", path
        assert schema["minimum"] == 1, path
        assert 1 < schema["maximum"] < 1_000, path


@pytest.mark.django_db
def test_every_limit_is_enforced_as_documented(document, community):
    api = APIClient()
    for path, schema in limited(document):
        largest = schema["maximum"]
        for limit in (0, -1, largest + 1, "x", 10**30):
            response = api.get(path, {"limit": limit})
            assert response.status_code == 400, (path, limit)
            assert response.json()["code"] == "invalid"
        for limit in (1, largest, ""):
            assert api.get(path, {"limit": limit}).status_code == 200, (path, limit)


# --- Answers over real data match the schema ------------------------------------


@pytest.fixture
def rich(community, settings, tmp_path):
    """A budget voted and spent, income, a ballot cast, proposals of each kind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    alice, bob = community["alice"], community["bob"]
    budget = BudgetFactory(
        author=alice,
        voters=list(community.values()),
        lines=[{"purpose": "Workshop", "amount_cents": 100_000, "fund": "general"}],
    )
    ExpenseFactory(actor=bob, budget_line=budget.budget_lines.get(), amount_cents=500)
    IncomeFactory(actor=bob, kind="dues", amount_cents=1_000, external_reference="D-1")
    hold_vote(draft(alice, title="Decided"), yes=[alice, bob], enact=False)
    voting_now(alice, title="Open")
    draft(alice, kind="amendment", amendments=[amendment()])
    return {"budget": budget, "token": Token.objects.create(user=alice).key}


def amendment():
    return {
        "article_slug": "dues",
        "new_title": "Dues",
        "new_class": "ordinary",
        "new_text": "Dues are 5 a month.",
        "new_parameters": None,
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process")
def test_answers_over_real_data_match_the_schema(rich):
    client = WSGIClient(application())
    schema = live_schema()
    member = {"Authorization": f"Token {rich['token']}"}
    ids = list(Proposal.objects.values_list("pk", flat=True))
    requests = [
        ("/api/v1/me/", "/api/v1/me/", member),
        ("/api/v1/me/export/", "/api/v1/me/export/", member),
        ("/api/v1/proposals/", "/api/v1/proposals/?limit=2", member),
        ("/api/v1/bylaws/", "/api/v1/bylaws/", {}),
        ("/api/v1/bylaws/{slug}/versions/", "/api/v1/bylaws/dues/versions/", {}),
        ("/api/v1/journal/", "/api/v1/journal/?after=1", {}),
        ("/api/v1/journal/head/", "/api/v1/journal/head/", {}),
        ("/api/v1/treasury/transactions/", "/api/v1/treasury/transactions/?limit=1", {}),
        ("/api/v1/treasury/accounts/", "/api/v1/treasury/accounts/?limit=3", {}),
        ("/api/v1/treasury/budget-lines/", "/api/v1/treasury/budget-lines/", {}),
        ("/api/v1/treasury/summary/", "/api/v1/treasury/summary/", {}),
        ("/api/v1/proposals/{id}/", "/api/v1/proposals/999999/", {}),  # an error too
    ]
    for pk in ids:
        for tail in ("", "results/", "ballots/", "roll/"):
            requests.append(
                (f"/api/v1/proposals/{{id}}/{tail}", f"/api/v1/proposals/{pk}/{tail}", member)
            )
    statuses = set()
    for template, url, headers in requests:
        response = client.get(url, headers=headers)
        operation = schema[template]["GET"]
        assert str(response.status_code) in operation.definition.raw["responses"], url
        operation.validate_response(response)
        statuses.add(response.status_code)
    assert statuses == {200, 404}
