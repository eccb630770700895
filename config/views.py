from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """For load balancers: the process answers (no database query)."""
    return HttpResponse("ok", content_type="text/plain")
