"""The Content-Security-Policy every page is served with.

Pages load scripts, styles and images only from this site: no inline
script or style, no framing, no plugins, forms posting only here, and
websockets to this site. Member text is Markdown sanitized by nh3, and
the policy is the second wall should a hole ever appear there.

One page is different: Swagger UI (`/api/docs/`, drf-spectacular) starts
itself with an inline script, so it alone may run inline scripts.
"""

from __future__ import annotations

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",  # includes this site's ws:// and wss:// in current browsers
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SWAGGER_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class ContentSecurityPolicyMiddleware:
    sync_capable = True
    async_capable = False  # the chain runs synchronously (config/asgi_http.py)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = SWAGGER_POLICY if request.path.startswith("/api/docs") else POLICY
            response["Content-Security-Policy"] = policy
        return response
