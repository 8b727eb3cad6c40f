"""Personal data the service stops keeping by itself, and the storage erasure relies on.

Exports of data requests expire after ``DISPUTEFLOW_EXPORT_RETENTION_DAYS`` (30 by
default); a buyer file a crash left without its row is swept; the SQLite file is created
0600 (its WAL copies the mode) with ``secure_delete`` on; free text is scrubbed by value.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from disputeflow import Party
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import DataRequest, Subject
from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.config import Settings
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.tables import EvidenceFileRow, PrivacyRequestRow
from disputeflow.engine.worker import Worker
from disputeflow.features.privacy import erasure as privacy
from disputeflow.features.privacy.scrub import ERASED, Needles, scrub
from disputeflow.features.transparency import files
from tests.builders import snapshot

ADA = Party(name="Ada Lovelace", email="ada@example.org", country="GB")


@pytest.fixture
def connection_id(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})["id"]


def export_aged(runtime, connection_id, days):
    """A data request's export of Ada, recorded ``days`` ago; its id."""
    with runtime.database.session() as session:
        request = DataRequest("test", Subject(email=ADA.email))
        export_id = privacy.export(session, connection_id, request)
    with runtime.database.session() as session:
        session.execute(
            update(PrivacyRequestRow)
            .where(PrivacyRequestRow.id == export_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
    return export_id


def exports(runtime):
    with runtime.database.session() as session:
        rows = session.scalars(select(PrivacyRequestRow)).all()
        return {row.id: (row.subject, row.export) for row in rows}


def test_exports_expire_after_the_retention_period(runtime, connection_id):
    ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot(buyer=ADA))
    old, young = export_aged(runtime, connection_id, 31), export_aged(runtime, connection_id, 29)
    assert ADA.name in str(exports(runtime)[young][1])  # the export holds her case

    Worker(runtime).housekeeping(force=True)
    held = exports(runtime)
    assert held[old] == ({"customer_external_id": None, "email": ERASED,
                          "order_external_ids": []}, {"removed": "expired"})  # fmt: skip
    assert ADA.name in str(held[young][1])  # 29 days: still within 30

    runtime.settings = replace(runtime.settings, export_retention_days=7)
    Worker(runtime).housekeeping(force=True)
    assert exports(runtime)[young][1] == {"removed": "expired"}


def test_the_retention_period_is_a_setting(monkeypatch, tmp_path):
    assert Settings.from_env(home=tmp_path).export_retention_days == 30
    monkeypatch.setenv("DISPUTEFLOW_EXPORT_RETENTION_DAYS", "7")
    assert Settings.from_env(home=tmp_path).export_retention_days == 7
    for bad in ("0", "-1", "a week"):
        monkeypatch.setenv("DISPUTEFLOW_EXPORT_RETENTION_DAYS", bad)
        with pytest.raises(ConfigurationError, match="DISPUTEFLOW_EXPORT_RETENTION_DAYS"):
            Settings.from_env(home=tmp_path)


def test_files_without_a_row_are_swept_once_old(runtime):
    folder = files.folder(runtime.settings.home)
    with runtime.database.session() as session:
        upload = files.Upload("a.pdf", b"%PDF-1.4 kept")
        kept = files.store(session, runtime.settings.home, upload, case_id=None, now=utcnow())
    orphan, fresh = folder / "orphan", folder / "fresh"
    orphan.write_bytes(b"%PDF-1.4 left by a crash")
    fresh.write_bytes(b"%PDF-1.4 being written")
    hours_ago = time.time() - 2 * 3600
    os.utime(orphan, (hours_ago, hours_ago))
    os.utime(folder / kept.stored_name, (hours_ago, hours_ago))

    Worker(runtime).housekeeping(force=True)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["fresh", kept.stored_name])
    with runtime.database.session() as session:
        assert session.get(EvidenceFileRow, kept.id) is not None


def test_the_sqlite_file_is_private_and_overwrites_what_it_deletes(tmp_path):
    folder = tmp_path / "data"
    database = Database.from_url(f"sqlite:///{folder / 'store.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('ada@example.org')"))
        connection.commit()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    database.dispose()
    assert modes == dict.fromkeys(
        ["store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"], 0o600
    )


def test_an_existing_loose_file_is_reported(tmp_path, caplog):
    path = tmp_path / "store.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Database.from_url(f"sqlite:///{path}").dispose()
    assert "readable by others" in caplog.text


def test_free_text_is_scrubbed_by_value():
    needles = Needles.of(["zed@example.com", "42"], ["Zed Shaw"], ["+1 555-625-1199"])
    pattern = needles.pattern()
    note = {"n": ["Called Zed at ZED@example.com, 555 625 1199; Zed Shaw agreed", 42]}
    assert scrub(note, pattern) == {
        "n": [f"Called {ERASED} at {ERASED}, {ERASED}; {ERASED} agreed", 42]
    }
    assert scrub("Zedekiah and customer 42", pattern) == "Zedekiah and customer 42"  # words only
    assert not Needles.of(["a"], ["Al"], ["123"])  # too short to scrub safely
    opener = Needles.of(names=["Will Open"]).pattern()
    status = {"status": "open", "note": "Will Open called", "queue": "will"}
    assert scrub(status, opener) == {"status": "open", "note": f"{ERASED} called", "queue": "will"}


def test_files_are_unlinked_only_when_their_removal_commits(runtime):
    home = runtime.settings.home
    with runtime.database.session() as session:
        rows = [files.store(session, home, files.Upload(f"{n}.pdf", b"%PDF-1.4 " + n.encode()),
                            case_id=None, now=utcnow()) for n in ("a", "b", "c")]  # fmt: skip
    on_disk = {row.id: files.folder(home) / row.stored_name for row in rows}
    a, b, c = (row.id for row in rows)

    def failed_erasure():
        with runtime.database.session() as session:
            files.remove(session, home, [session.get(EvidenceFileRow, a)])
            raise RuntimeError("the erasure failed")

    with pytest.raises(RuntimeError):
        failed_erasure()
    assert on_disk[a].exists()  # rolled back: the row is back, the file stays

    with runtime.database.session() as session:
        try:
            with session.begin_nested():  # as processing applies a delivery
                files.remove(session, home, [session.get(EvidenceFileRow, b)])
                raise RuntimeError("this delivery failed")
        except RuntimeError:
            pass
        files.remove(session, home, [session.get(EvidenceFileRow, c)])
    assert on_disk[b].exists()  # its savepoint rolled back, though the transaction committed
    assert not on_disk[c].exists()
    with runtime.database.session() as session:
        assert {r.id for r in session.scalars(select(EvidenceFileRow))} == {a, b}
