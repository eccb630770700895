from django.urls import path

from governance import api

app_name = "governance-api"
urlpatterns = [
    path("bylaws/", api.BylawListView.as_view(), name="bylaws"),
    path("bylaws/<slug:slug>/", api.BylawDetailView.as_view(), name="bylaw"),
    path("bylaws/<slug:slug>/versions/", api.BylawVersionsView.as_view(), name="bylaw_versions"),
    path("journal/", api.JournalView.as_view(), name="journal"),
    path("journal/head/", api.JournalHeadView.as_view(), name="journal_head"),
    path("journal/export.jsonl", api.JournalExportView.as_view(), name="journal_export"),
]
