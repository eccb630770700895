from django.urls import path

from contributions.consumers import MarketplaceConsumer

websocket_urlpatterns = [
    path("ws/contributions/marketplace/", MarketplaceConsumer.as_asgi()),
]
