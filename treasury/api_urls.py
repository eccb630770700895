from django.urls import path

from treasury import api

app_name = "treasury-api"
urlpatterns = [
    path("transactions/", api.TransactionsView.as_view(), name="transactions"),
    path("accounts/", api.AccountsView.as_view(), name="accounts"),
    path("budget-lines/", api.BudgetLinesView.as_view(), name="budget_lines"),
    path("summary/", api.SummaryView.as_view(), name="summary"),
    path("export.csv", api.ExportCSVView.as_view(), name="export_csv"),
    path("export.jsonl", api.ExportJSONLinesView.as_view(), name="export_jsonl"),
]
