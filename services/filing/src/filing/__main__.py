"""`python -m filing`: runs the filing service under uvicorn on FILING_PORT (default 8001)."""

from __future__ import annotations

from runtime.http import prepare_process, serve

from filing.app import create_app
from filing.settings import FilingSettings


def main() -> None:
    settings = FilingSettings()
    prepare_process(settings)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
