from django.urls import path

from contributions import views

app_name = "contributions"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("marketplace/", views.marketplace, name="marketplace"),
    path("marketplace/alerts/read/", views.read_alerts, name="read_alerts"),
    path("ledger/", views.ledger, name="ledger"),
    path("accounts/<slug:reference>/", views.account, name="account"),
    path("needs/new/", views.post_need, name="post_need"),
    path("needs/<id:pk>/", views.need_detail, name="need"),
    path("needs/<id:pk>/offer/", views.offer_help, name="offer"),
    path("needs/<id:pk>/close/", views.close_need, name="close_need"),
    path("offers/<id:pk>/accept/", views.accept_offer, name="accept_offer"),
    path("offers/<id:pk>/decline/", views.decline_offer, name="decline_offer"),
    path("offers/<id:pk>/withdraw/", views.withdraw_offer, name="withdraw_offer"),
    path("offers/<id:pk>/hours/", views.log_hours, name="log_hours"),
    path("hours/<id:pk>/confirm/", views.confirm_hours, name="confirm_hours"),
    path("hours/<id:pk>/refuse/", views.refuse_hours, name="refuse_hours"),
    path("hours/<id:pk>/review/", views.request_review, name="request_review"),
    path("hours/<id:pk>/decide/", views.decide_review, name="decide_review"),
    path("standing-offers/new/", views.post_standing_offer, name="post_standing_offer"),
    path("standing-offers/<id:pk>/", views.standing_offer_detail, name="standing_offer"),
    path("standing-offers/<id:pk>/ask/", views.ask_standing_offer, name="ask_standing_offer"),
    path(
        "standing-offers/<id:pk>/withdraw/",
        views.withdraw_standing_offer,
        name="withdraw_standing_offer",
    ),
    path("me/", views.me, name="me"),
    path("me/rebate/", views.claim_rebate, name="claim_rebate"),
    path("me/rebate/<id:pk>/withdraw/", views.withdraw_claim, name="withdraw_claim"),
    path("reviews/", views.reviews, name="reviews"),
    path("rebates/", views.rebates, name="rebates"),
    path("rebates/<id:pk>/record/", views.record_dues, name="record_dues"),
]
