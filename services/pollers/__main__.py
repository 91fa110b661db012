"""Entry point: ``python -m services.pollers [--config feeds.toml]``."""

import sys

from services.pollers.runner import main

sys.exit(main())
