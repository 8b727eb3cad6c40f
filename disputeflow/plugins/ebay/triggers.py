"""Objects named by unsigned platform notifications, read on a poll instead of per request.

eBay's own samples of Return* and EBP* platform notifications carry no
``NotificationSignature``, and the signature, when present, signs only a timestamp. So a
notification that could not be checked never costs an API read per request: it marks the
objects it names, and they are read together, at most once a minute per connection (an
"extra poll"), or by the next regular sync, whichever comes first. At most
:data:`MAX_MARKS` objects wait per connection; an anonymous flood cannot grow it further.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

EXTRA_POLL_INTERVAL = timedelta(minutes=1)
MAX_MARKS = 50

Target = tuple[str, str]  # (object type, object id)


class PollMarks:
    """Marked objects per connection and when each connection last had an extra poll."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._marks: dict[str, dict[Target, None]] = {}
        self._last_extra: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def mark(self, connection_id: str, targets: Iterable[Target]) -> None:
        """Remember objects to read on the next poll (the oldest kept when full)."""
        with self._lock:
            marks = self._marks.setdefault(connection_id, {})
            for target in targets:
                if len(marks) < MAX_MARKS:
                    marks[target] = None

    def extra_poll(self, connection_id: str) -> list[Target]:
        """The marked objects to read now, if this connection had no extra poll in the last
        minute (and they are taken); else nothing."""
        now = self._clock()
        with self._lock:
            last = self._last_extra.get(connection_id)
            if last is not None and now - last < EXTRA_POLL_INTERVAL:
                return []
            taken = list(self._marks.pop(connection_id, {}))
            if taken:
                self._last_extra[connection_id] = now
            return taken

    def take(self, connection_id: str) -> list[Target]:
        """Every marked object, for a regular sync."""
        with self._lock:
            return list(self._marks.pop(connection_id, {}))
