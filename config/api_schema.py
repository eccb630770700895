"""The OpenAPI schema of the API, told by the code: each operation lists the
errors it can answer, in the one shape of `config.api`."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from kernel.serializers import ErrorSerializer

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FRAMEWORK_ERRORS = {
    400: "The body is not valid JSON (`parse_error`), or a parameter or field is not valid "
    "(`invalid`; `fields` names each field of the body and its problems).",
    403: "Credentials are missing where they are needed (`not_authenticated`) or not valid "
    "(`authentication_failed`), a session request has no CSRF token (`permission_denied`), "
    "or the action is not allowed.",
    404: "Nothing is there (`not_found`): no such row, or no such `format`.",
    413: "The body is larger than the server accepts (`too_large`).",
    415: "The body is not JSON (`unsupported_media_type`).",
    429: "Too many requests (`throttled`); wait the seconds that Retry-After gives.",
    503: "The database is out of reach (`unavailable`); retry after Retry-After seconds.",
}
RETRY_STATUSES = (429, 503)
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the errors that the framework around
    each view can answer, on every operation where they can occur:

    - 400 where a body or query parameters are read;
    - 403 wherever credentials are read (a wrong token is refused anywhere);
    - 404 where the path names something (and for unknown paths), or a
      `format` parameter chooses the renderer;
    - 413 for requests that may carry a body, 415 where a body is parsed;
    - 429 where the view has a throttle;
    - 503 everywhere: every operation reads the database.

    An operation declares the errors of its domain, which only it knows (409
    and the like), with `kernel.serializers.error_responses`; where one has
    the same status as a framework error, both descriptions are kept."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._framework_errors():
            own = responses.get(str(status))
            if own is None:
                responses[str(status)] = self._error_response(status)
            else:
                # The view's words first (its domain's codes), then the framework's.
                own["description"] = f"{own['description']} {FRAMEWORK_ERRORS[status]}".strip()
                if status in RETRY_STATUSES:
                    own.setdefault("headers", RETRY_AFTER)
        return dict(sorted(responses.items()))

    def _get_parameters(self):
        # Every view reads an empty query parameter (`?limit=`, as forms and
        # many clients send it) as one left out: its default, no filter.
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def _framework_errors(self) -> list[int]:
        reads_body = self.method in ("POST", "PUT", "PATCH") and bool(self.get_request_serializer())
        parameters = self._get_parameters()
        errors = [503]
        if reads_body or any(p["in"] == "query" for p in parameters):
            errors.append(400)
        if self.view.authentication_classes:
            errors.append(403)
        # DRF answers an unknown `?format=` with 404 too.
        if any(p["in"] == "path" or p["name"] == "format" for p in parameters):
            errors.append(404)
        if self.method in UNSAFE_METHODS:
            errors.append(413)
        if reads_body:
            errors.append(415)
        if self.view.throttle_classes:
            errors.append(429)
        return errors

    def _error_response(self, status: int) -> dict:
        # DRF renders its errors with the view's own renderer (a JSON Lines
        # export answers a JSON body as application/x-ndjson); Django's and
        # the guards' errors are application/json.
        media_types = list(dict.fromkeys(["application/json", *self.map_renderers("media_type")]))
        response = self._get_response_for_code(
            OpenApiResponse(ErrorSerializer, description=FRAMEWORK_ERRORS[status]),
            str(status),
            media_types,
        )
        if status in RETRY_STATUSES:
            response["headers"] = RETRY_AFTER
        return response
