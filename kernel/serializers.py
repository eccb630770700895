"""DRF's serializers with strict JSON types, and the one shape of an API error.

The API speaks JSON, whose values carry their types. DRF's fields guess
instead: its CharField takes `123` as "123", its IntegerField takes "12" and
12.0, its BooleanField takes "yes" and 1. A client that sends the wrong type
is then never told, and what it meant is a guess. Here:

- a string field takes only a string;
- an integer field takes only an integer (not a boolean, not 1.0, not "1"),
  and only one the databases can hold (`kernel.ids`), so an oversized number
  in a body is a 400 naming the field, never an overflow in the driver;
- a boolean field takes only `true` or `false`;
- a choice field takes only a value of its choices' own type.

Every app's `api.py` imports its serializers from here
(`from kernel import serializers`), which keeps DRF's names: declared fields
and the fields a `ModelSerializer` builds from a model are the strict ones.
`tests/test_api_schema.py` walks every serializer the API's views use and
fails on any field that takes a number for a string.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers as drf

# Fields whose JSON type DRF already checks (lists, objects, dates as
# strings) or that never take input, re-exported so apps need one import.
from rest_framework.serializers import (  # noqa: F401 (re-exported)
    DateField,
    DateTimeField,
    DictField,
    JSONField,
    ListField,
    ListSerializer,
    SerializerMethodField,
    ValidationError,
)

from kernel.ids import MAX_ID

MIN_INTEGER = -MAX_ID - 1


def _json_type(value) -> type:
    """The JSON type of a Python value: bool before int, since True is an int."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind
    return type(value)


class _StrictText:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(_StrictText, drf.CharField):
    """A string, and only a string."""


class SlugField(_StrictText, drf.SlugField):
    pass


class EmailField(_StrictText, drf.EmailField):
    pass


class URLField(_StrictText, drf.URLField):
    pass


class _StrictInteger:
    """An integer within the databases' range unless a narrower one is given."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", MIN_INTEGER)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if _json_type(data) is not int:
            self.fail("invalid")
        return data


class IntegerField(_StrictInteger, drf.IntegerField):
    pass


class BigIntegerField(_StrictInteger, drf.BigIntegerField):
    pass


class FloatField(drf.FloatField):
    """A number (an integer is a number too); never a string or a boolean."""

    def to_internal_value(self, data):
        if _json_type(data) not in (int, float):
            self.fail("invalid")
        return super().to_internal_value(data)


class BooleanField(drf.BooleanField):
    def to_internal_value(self, data):
        if _json_type(data) is not bool:
            self.fail("invalid")
        return data


class ChoiceField(drf.ChoiceField):
    """One of the choices, of the same JSON type: "1" is not the choice 1."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _json_type(data) is not _json_type(value):
            self.fail("invalid_choice", input=data)
        return value


Serializer = drf.Serializer

STRICT = {
    drf.CharField: CharField,
    drf.SlugField: SlugField,
    drf.EmailField: EmailField,
    drf.URLField: URLField,
    drf.IntegerField: IntegerField,
    drf.BigIntegerField: BigIntegerField,
    drf.FloatField: FloatField,
    drf.BooleanField: BooleanField,
    drf.ChoiceField: ChoiceField,
}


class ModelSerializer(drf.ModelSerializer):
    """Builds the strict fields above from model fields."""

    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in drf.ModelSerializer.serializer_field_mapping.items()
    }
    serializer_choice_field = ChoiceField


class ErrorSerializer(Serializer):
    """Every error of the API: `{"detail": …, "code": …}`, and for a body whose
    fields do not validate, `fields` too: each field's path (`title`,
    `budget_items.0.amount_cents`) and its problems."""

    # Declared in get_fields: a serializer's own `fields` attribute is taken.
    def get_fields(self):
        return {
            "detail": CharField(help_text="What went wrong, written for a person."),
            "code": CharField(
                help_text="What went wrong, for programs: `invalid`, `parse_error`, "
                "`not_authenticated`, `not_found`, `voting_closed`, …"
            ),
            "fields": DictField(
                child=ListField(child=CharField()),
                required=False,
                help_text="Only when fields of the body are not valid: for each field's "
                "path, its problems.",
            ),
        }


def error_responses(descriptions: dict[int, str]) -> dict[int, OpenApiResponse]:
    """For `extend_schema(responses=…)`: the errors of the domain an operation
    may answer, each with what it means there. The errors every operation
    shares (bad credentials, a missing row, the database away) are added to
    every operation by `config.api_schema.AutoSchema`."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=text)
        for status, text in descriptions.items()
    }
