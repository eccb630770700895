from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found


@never_cache
def healthz(request):
    """For load balancers: the process answers (no database query)."""
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
