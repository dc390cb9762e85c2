"""`python -m filing`: runs the filing service under uvicorn on FILING_PORT (default 8001)."""

from __future__ import annotations

from runtime.http import prepare_process, serve

from filing.app import FilingSettings, create_filing_app


def main() -> None:
    settings = FilingSettings()
    prepare_process(settings)
    serve(create_filing_app(settings), settings)


if __name__ == "__main__":
    main()
