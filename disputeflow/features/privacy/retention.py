"""Personal data the service stops keeping on its own: data-request exports past their
retention period, and buyer files a crash left on disk without their row."""

from __future__ import annotations

from datetime import timedelta

from disputeflow.core.clock import utcnow
from disputeflow.engine.runtime import Runtime
from disputeflow.features.privacy import erasure as privacy
from disputeflow.features.transparency import files

# A file is written just before its row commits: younger files without a row are left alone.
ORPHAN_AGE = timedelta(hours=1)


def apply_retention(runtime: Runtime) -> tuple[int, int]:
    """Expire old exports, sweep orphan files; ``(exports, files)`` removed."""
    retention = timedelta(days=runtime.settings.export_retention_days)
    with runtime.database.session() as session:
        exports = privacy.expire_exports(session, utcnow(), retention)
        swept = files.sweep_orphans(session, runtime.settings.home, ORPHAN_AGE)
    return exports, swept
