"""API plumbing shared by every app's `api.py`."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    response = drf_exception_handler(exc, context)
    # DRF's own errors (authentication, parsing, throttling) get the same shape;
    # field validation errors stay {"field": ["message", ...]}.
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(exc, "default_code", "error"))
    return response
