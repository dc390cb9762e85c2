"""`python -m gateway`: serve the GraphQL API with uvicorn (GATEWAY_HOST, GATEWAY_PORT)."""

from __future__ import annotations

import uvicorn
from runtime.telemetry import instrument_httpx, setup_logging, setup_tracing

from gateway.app import create_app
from gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    setup_logging("gateway", level=settings.platform.log_level,
                  as_json=settings.platform.log_json)
    setup_tracing("gateway")
    instrument_httpx()
    # GATEWAY_TRUST_FORWARDED_FOR alone decides whose address a request has (uvicorn would
    # otherwise trust X-Forwarded-For from loopback); a WebSocket message is capped like a body.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_config=None, access_log=False, proxy_headers=False,
                ws_max_size=settings.max_body_bytes)


if __name__ == "__main__":
    main()
