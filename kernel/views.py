"""How a page answers when a community rule refuses an action: one way, for
every app (the API's way is `config.api.exception_handler`, the websocket's
is the error frame of `realtime.consumers`).

- Action buttons (submit, withdraw, hide, approve…) just call their service.
  If it refuses, `DomainErrorMiddleware` answers: someone who may not act at
  all (403) gets the "not allowed" page with the reason; any other refusal
  (a wrong phase, a conflict, bad input) is flashed and the person goes back
  to the page they came from. A refused GET shows the reason on an error
  page with the refusal's status (400, 403, 404 or 409).
- Form pages keep what the person typed and show the reason on the form:

      with refusal_shown_on(form) as refusal:
          services.record_income(...)
          return redirect(...)
      return render(request, "…", {"form": form}, status=refusal.status)
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kernel.errors import DomainError, NotAllowed
from kernel.text import is_storable


class refusal_shown_on:
    """Catch a refusal inside the block and show its reason on ``form`` (on
    ``field``, or the whole form), or only keep it in ``.error`` for a page
    that shows the reason itself. Someone who may not act at all (a
    `NotAllowed` refusal) gets the 403 page instead, as from an action."""

    def __init__(self, form=None, *, field: str | None = None) -> None:
        self.form = form
        self.field = field
        self.error: DomainError | None = None

    def __enter__(self) -> refusal_shown_on:
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if isinstance(exc, DomainError) and not isinstance(exc, NotAllowed):
            self.error = exc
            if self.form is not None:
                self.form.add_error(self.field, exc.message)
            return True
        return False

    @property
    def status(self) -> int:
        return self.error.http_status if self.error is not None else 200


def page_to_return_to(request, fallback: str = "/") -> str:
    """Where an action sends the person back: the form's `next`, else the page
    they came from, if either is on this site; else ``fallback``."""
    for candidate in (request.POST.get("next", ""), request.headers.get("referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


class DomainErrorMiddleware(MiddlewareMixin):
    """A refusal no view caught: the reason, never a server error."""

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if request.method == "POST" and not isinstance(exception, NotAllowed):
            messages.error(request, exception.message)
            target = page_to_return_to(request)
            if getattr(request, "htmx", False):  # htmx follows this header with a full load
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        status = exception.http_status
        template = {403: "403.html", 404: "404.html"}.get(status, "refused.html")
        context = {"exception": exception.message, "refusal": exception.message}
        return render(request, template, context, status=status)


class UnstorableInputMiddleware(MiddlewareMixin):
    """A path, query string or form field holding a character no text can be
    stored with (`kernel.text.is_storable`: NUL, unpaired surrogates) is
    refused before any view reads it: 400 with the reason, in JSON for the
    API. Otherwise a search for "%00" reached PostgreSQL, which refuses NUL
    in text, and the reader got a server error. (JSON bodies are checked by
    their parser, `kernel.jsontext`.)"""

    def process_view(self, request, view_func, view_args, view_kwargs):
        texts = [request.path, *_values(request.GET)]
        is_api = request.path.startswith("/api/")
        # The API's bodies are JSON only (any other is a 415), checked by
        # their parser: reading a form here would take the body from DRF.
        if (
            not is_api
            and request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            texts += _values(request.POST)
        if all(is_storable(text) for text in texts):
            return None
        reason = _("The request holds a character that no text can hold (NUL).")
        if is_api:
            return JsonResponse({"detail": reason, "code": "invalid"}, status=400)
        return render(request, "refused.html", {"refusal": reason, "exception": reason}, status=400)


def _values(query) -> list[str]:
    return [text for key, values in query.lists() for text in (key, *values)]
