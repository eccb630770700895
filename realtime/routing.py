from django.urls import path

from realtime.consumers import DebateConsumer

websocket_urlpatterns: list = [
    path("ws/proposals/<int:proposal_id>/", DebateConsumer.as_asgi()),
]
