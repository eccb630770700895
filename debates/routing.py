from django.urls import path

from debates.consumers import DebateConsumer

websocket_urlpatterns = [
    path("ws/proposals/<int:proposal_id>/", DebateConsumer.as_asgi()),
]
