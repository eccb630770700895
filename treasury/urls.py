from django.urls import path

from treasury import views

app_name = "treasury"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("transactions/", views.transaction_list, name="transactions"),
    path("transactions/<id:pk>/", views.transaction_detail, name="transaction"),
    path("transactions/<id:pk>/reverse/", views.reverse_transaction, name="reverse"),
    path("budget-lines/<id:pk>/", views.budget_line_detail, name="budget_line"),
    path("receipts/<id:pk>/", views.receipt, name="receipt"),
    path("record/expense/", views.record_expense, name="record_expense"),
    path("record/<slug:kind>/", views.record_income, name="record_income"),
    path("import/", views.import_statement, name="import"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<id:pk>/approve/", views.approve, name="approve"),
    path("approvals/<id:pk>/decline/", views.decline, name="decline"),
    path("funds/new/", views.create_fund, name="create_fund"),
    path("audit/attest/", views.attest, name="attest"),
]
