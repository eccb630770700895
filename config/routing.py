"""Every app's websocket routes, in one place (the project sits above the apps)."""

from contributions.routing import websocket_urlpatterns as contributions
from debates.routing import websocket_urlpatterns as debates

websocket_urlpatterns = [*debates, *contributions]
