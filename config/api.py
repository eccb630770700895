"""API plumbing shared by every app's `api.py`: the JSON parser and the one
shape of errors. (Pagination is `config.api_pagination`, the schema
`config.api_schema`: DRF imports this module while its views module is being
defined, so this module must be imported by that first, not by a settings
check, and must not import what imports DRF's views.)

**Errors** are `{"detail": message, "code": code}` (kernel.serializers.
ErrorSerializer), whoever raised them: a domain error of a service, DRF
(authentication, parsing, throttling), Django (`config.views.not_found`,
`config.views.server_error`) or the ASGI guards (413). A body whose fields do
not validate adds `fields`, the problems of each field by its path.

**Credentials** that are missing or wrong get 403, not 401: the first
authentication is the browser's session, which has no `WWW-Authenticate`
challenge to send, and a 401 must carry one. The `code` tells them apart:
`not_authenticated`, `authentication_failed`, or the refusal's own.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from kernel import jsontext
from kernel.errors import DomainError

# How many field problems a validation error's `detail` spells out; `fields`
# has all of them.
DETAIL_PROBLEMS = 3


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, through `kernel.jsontext`: malformed or too deeply
    nested bodies are a 400 with code `parse_error`, never a server error.

    The charset named in Content-Type must be a text encoding: Python's codec
    registry also holds byte-to-byte ones (`zlib_codec`, `base64_codec`) and
    text-to-text ones (`rot13`), which a client could name to reach code
    that never expected them."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            is_text = codecs.lookup(encoding)._is_text_encoding
        except LookupError:
            is_text = False
        if not is_text:
            raise exceptions.ParseError(
                _("“%(charset)s” is not a text encoding.") % {"charset": encoding}
            )
        try:
            text = codecs.getreader(encoding)(stream).read()
            return jsontext.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc.detail)
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code}
    return response


def validation_error_body(detail) -> dict:
    """DRF's nested validation errors as one error: `fields` maps each field's
    path to its messages, and `detail` says the first few in a sentence."""
    fields: dict[str, list[str]] = {}
    for path, messages in _problems(detail, ""):
        fields.setdefault(path, []).extend(messages)
    overall = fields.pop("", [])
    said = overall + [f"{path}: {messages[0]}" for path, messages in fields.items()]
    text = " ".join(said[:DETAIL_PROBLEMS])
    if len(said) > DETAIL_PROBLEMS:
        text += " " + _("(and %(n)s more)") % {"n": len(said) - DETAIL_PROBLEMS}
    body = {"detail": text or _("Invalid input."), "code": "invalid"}
    if fields:
        body["fields"] = fields
    return body


def _problems(detail, path: str):
    """(path, [message, …]) for every problem in DRF's nested error detail:
    dicts by field name (or item index, for list fields), lists of messages,
    or lists of per-item errors for lists of objects."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                yield from _problems(value, path)
            else:
                yield from _problems(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        messages = [str(item) for item in detail if not isinstance(item, dict | list)]
        if messages:
            yield path, messages
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and item:
                yield from _problems(item, f"{path}.{index}" if path else str(index))
    else:
        yield path, [str(detail)]
