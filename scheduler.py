"""The scheduler entry: `python scheduler.py` (make run starts it beside the app).

Runs the registered jobs (outbox dispatch every minute, suppression sync hourly, and
the planners later programs add) while it holds leadership; a second instance waits as
standby and takes over when the first dies."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from crm import settings as settings_module
from crm.db import engine_for
from crm.settings import SettingsError
from liaison import wiring
from liaison.scheduler.runner import run


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s"
    )
    try:
        settings = settings_module.get()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    wiring.connect()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    run(engine_for(settings.database_url), settings, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
