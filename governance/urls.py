from django.urls import path

from governance import views
from governance.feeds import JournalHeadsFeed

app_name = "governance"
urlpatterns = [
    path("", views.bylaws, name="bylaws"),
    path("journal/", views.journal, name="journal"),
    path("journal/heads.atom", JournalHeadsFeed(), name="journal_feed"),
    path("audit/", views.audit, name="audit"),
    path("audit/chain.py", views.chain_source, name="chain_source"),
    path("<slug:slug>/", views.article, name="article"),
]
