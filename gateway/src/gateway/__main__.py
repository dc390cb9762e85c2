"""`python -m gateway`: serve the GraphQL API with uvicorn (GATEWAY_HOST, GATEWAY_PORT)."""

from __future__ import annotations

import uvicorn
from runtime.collector import freeze_loaded
from runtime.telemetry import instrument_httpx, setup_logging, setup_tracing

from gateway.app import create_app
from gateway.settings import GatewaySettings

# The cyclic collector's first threshold here (Python's is 700): a page of 100 nested works
# allocates tens of thousands of objects (resolve infos, schema objects, result dicts), so the
# collector ran dozens of times a request, and each older collection walked the whole heap
# again (modules, the schema, the settings): about a tenth of the page's CPU.
GC_THRESHOLD = 10_000


def main() -> None:
    settings = GatewaySettings()
    setup_logging("gateway", level=settings.platform.log_level,
                  as_json=settings.platform.log_json)
    setup_tracing("gateway")
    instrument_httpx()
    app = create_app(settings)
    freeze_loaded(GC_THRESHOLD)
    # GATEWAY_TRUST_FORWARDED_FOR alone decides whose address a request has (uvicorn would
    # otherwise trust X-Forwarded-For from loopback); a WebSocket message is capped like a body.
    uvicorn.run(app, host=settings.host, port=settings.port,
                log_config=None, access_log=False, proxy_headers=False,
                ws_max_size=settings.max_body_bytes)


if __name__ == "__main__":
    main()
