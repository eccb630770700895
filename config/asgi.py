"""The one ASGI application: HTTP and websockets, served by Daphne.

Every connection first passes `config.asgi_guards` (the client's address
from trusted proxies only; bodies within REQUEST_MAX_BYTES). HTTP then goes
through `config.asgi_http`: static files at the ASGI level, then
Django with its whole middleware chain run synchronously, in one hop, on a
thread lent for the request (that module says why).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models.
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.asgi_guards import BodyLimit, TrustedProxies, parse_networks  # noqa: E402
from config.asgi_http import http_application  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from proposals.scheduler import start_governance_ticker  # noqa: E402

application = TrustedProxies(
    ProtocolTypeRouter(
        {
            "http": BodyLimit(
                http_application(threads=settings.REQUEST_THREADS),
                max_bytes=settings.REQUEST_MAX_BYTES,
            ),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    ),
    parse_networks(settings.TRUSTED_PROXIES),
)

start_governance_ticker()
