"""``python -m services.webhooks``: run the dispatcher for the subscribers in
``WIREDESK_WEBHOOKS`` until SIGTERM or Ctrl-C. Exits 0 at once when none are configured, 2
when Redis is not configured."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from services.webhooks.dispatcher import Dispatcher
from workers.logs import configure_logging
from workers.settings import get_settings

__all__ = ["main"]


def main() -> int:
    settings = get_settings()
    configure_logging(json=settings.log_json, level=settings.log_level)
    log = logging.getLogger("services.webhooks")
    if not settings.webhooks:
        log.info("no webhook subscribers configured (WIREDESK_WEBHOOKS); nothing to do")
        return 0
    if not settings.redis_url:
        log.error("the webhook dispatcher needs REDIS_URL")
        return 2
    dispatcher = Dispatcher(settings, settings.redis_url)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    dispatcher.start()
    log.info("webhook dispatcher running for %s", ", ".join(s.name for s in settings.webhooks))
    while not done.wait(1.0):
        if not dispatcher.alive():
            log.error("a subscriber loop died; exiting so the supervisor restarts us")
            dispatcher.stop()
            return 1
    dispatcher.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
