"""Every app's websocket routes, in one place (the project sits above the apps)."""

from debates.routing import websocket_urlpatterns as debates

websocket_urlpatterns = [*debates]
