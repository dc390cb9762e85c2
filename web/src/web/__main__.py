"""`python -m web`: the web app as its own process (WEB_HOST, WEB_PORT) in front of the gateway
at WEB_GATEWAY_URL; the gateway mounts it at "/" anyway (WEB.md)."""

from __future__ import annotations

import uvicorn
from runtime.telemetry import setup_logging

from web.api import LOCAL_GATEWAY, GatewayAPI
from web.app import create_app
from web.settings import WebSettings


def main() -> None:
    settings = WebSettings()
    setup_logging("web")
    api = GatewayAPI(url=settings.gateway_url or LOCAL_GATEWAY, timeout=settings.timeout_seconds)
    uvicorn.run(create_app(settings, api=api), host=settings.host, port=settings.port,
                log_config=None, access_log=False, proxy_headers=False)


if __name__ == "__main__":
    main()
