import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

# How long clients should wait before retrying when the database is away.
RETRY_AFTER_SECONDS = 10


@never_cache
def healthz(request):
    """For load balancers: the process answers, and its database does."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        response = HttpResponse("database unreachable", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's icon link says."""
    response = redirect(static("img/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"  # not permanent: the file name has its hash
    return response


def not_found(request, exception):
    """No such page: the API answers in JSON like its other errors
    (`config.api`), pages with the site's 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """An uncaught error. If the database was out of reach, say so: 503 with
    Retry-After (JSON for the API, a friendly page for people); nothing was
    half-written, since every service runs in one transaction."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Something went wrong on our side."), "code": "server_error"},
                status=500,
            )
        return django_server_error(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("The database is out of reach; try again shortly."),
                "code": "unavailable",
            },
            status=503,
        )
    else:
        # Rendered without a request context: context processors would query
        # the database that just failed.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
