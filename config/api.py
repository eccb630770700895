"""API plumbing shared by every app's `api.py`."""

from __future__ import annotations

import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel import jsontext
from kernel.errors import DomainError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, through `kernel.jsontext`: malformed or too deeply
    nested bodies are a 400 with code `parse_error`, never a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return jsontext.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    response = drf_exception_handler(exc, context)
    # DRF's own errors (authentication, parsing, throttling) get the same shape;
    # field validation errors stay {"field": ["message", ...]}.
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(exc, "default_code", "error"))
    return response
