from django.urls import path

from members import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/export/", api.MyExportView.as_view(), name="api-me-export"),
]
