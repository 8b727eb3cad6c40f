"""The fake marketplace with a per-delivery pause (``FAKE_TRANSLATE_DELAY`` seconds), so a
test can kill a worker process in the middle of a batch."""

from __future__ import annotations

import os
import time

from disputeflow import hookimpl
from tests.fakes.marketplace import FakeMarketplace


class SlowFakeMarketplace(FakeMarketplace):
    def translate_delivery(self, connection, delivery):
        time.sleep(float(os.environ.get("FAKE_TRANSLATE_DELAY", "0")))
        return super().translate_delivery(connection, delivery)


@hookimpl
def disputeflow_register_marketplaces():
    return [SlowFakeMarketplace()]
