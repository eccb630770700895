from django.urls import path

from treasury import views

app_name = "treasury"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("transactions/", views.transaction_list, name="transactions"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction"),
    path("transactions/<int:pk>/reverse/", views.reverse_transaction, name="reverse"),
    path("budget-lines/<int:pk>/", views.budget_line_detail, name="budget_line"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("record/expense/", views.record_expense, name="record_expense"),
    path("record/<slug:kind>/", views.record_income, name="record_income"),
    path("import/", views.import_statement, name="import"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/<int:pk>/decline/", views.decline, name="decline"),
    path("funds/new/", views.create_fund, name="create_fund"),
    path("audit/attest/", views.attest, name="attest"),
]
