from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import favicon, healthz

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

api_v1 = [
    path("", include("members.api_urls")),
    path("", include("governance.api_urls")),
    path("", include("proposals.api_urls")),
    path("treasury/", include("treasury.api_urls")),
    path("", include("contributions.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("", include("members.urls")),
    path("bylaws/", include("governance.urls")),
    path("proposals/", include("proposals.urls")),
    path("treasury/", include("treasury.urls")),
    path("debates/", include("debates.urls")),
    path("contributions/", include("contributions.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
