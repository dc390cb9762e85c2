"""`python -m licensing` serves the licensing API on LICENSING_PORT (8002);
`python -m licensing rebuild-read-model` rebuilds the register read model
beside the live one and swaps it in (the service may keep serving)."""

import asyncio
import sys

from licensing.app import main
from licensing.rebuild import rebuild_read_model
from licensing.settings import LicensingSettings

if sys.argv[1:] == ["rebuild-read-model"]:
    asyncio.run(rebuild_read_model(LicensingSettings()))
elif sys.argv[1:]:
    sys.exit(f"usage: python -m licensing [rebuild-read-model]; got {' '.join(sys.argv[1:])}")
else:
    main()
