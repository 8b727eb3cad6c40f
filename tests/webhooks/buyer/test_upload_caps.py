"""Per-case lifetime caps on a buyer's uploads (issue 16): the hourly rate alone let a link
holder fill the disk a few files at a time, hour after hour."""

from __future__ import annotations

from dataclasses import replace

import pytest

from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.config import CASE_FILE_BYTES, CASE_FILES, Settings
from disputeflow.webhooks.buyer import case_page
from tests.webhooks.buyer.conftest import PNG
from tests.webhooks.buyer.test_case_page import _io, count_files, reply


@pytest.fixture
def settings(settings):
    return replace(settings, case_files=3, case_file_bytes=10 * len(PNG))


def test_the_files_a_case_takes_over_its_life_are_capped(client, case_of, runtime, monkeypatch):
    monkeypatch.setattr(case_page, "REPLIES_PER_HOUR", 100)  # the hourly rate is not the limit
    _, url = case_of()
    for n in range(3):
        sent = reply(client, url, files=[(_io(PNG), f"photo{n}.png")])
        assert sent.status_code == 303
    refused = reply(client, url, message="one more", files=[(_io(PNG), "photo3.png")])
    assert refused.status_code == 422
    assert "keine weiteren Dateien" in refused.get_data(as_text=True)
    assert count_files(runtime) == 3
    assert reply(client, url, message="words still reach the store").status_code == 303


def test_the_bytes_a_case_takes_are_capped(client, case_of, runtime):
    _, url = case_of()
    big = PNG + b"\x00" * (9 * len(PNG))  # nine tenths of this case's allowance
    assert reply(client, url, files=[(_io(big), "big.png")]).status_code == 303
    refused = reply(client, url, files=[(_io(PNG + PNG), "more.png")])
    assert refused.status_code == 422
    assert count_files(runtime) == 1


def test_the_caps_are_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("DISPUTEFLOW_CASE_FILES", "7")
    monkeypatch.setenv("DISPUTEFLOW_CASE_FILE_BYTES", "1048576")
    settings = Settings.from_env(home=tmp_path)
    assert (settings.case_files, settings.case_file_bytes) == (7, 1048576)
    monkeypatch.delenv("DISPUTEFLOW_CASE_FILES")
    monkeypatch.delenv("DISPUTEFLOW_CASE_FILE_BYTES")
    assert Settings.from_env(home=tmp_path).case_files == CASE_FILES == 20
    assert CASE_FILE_BYTES == 50 * 1024 * 1024
    monkeypatch.setenv("DISPUTEFLOW_CASE_FILES", "²")
    with pytest.raises(ConfigurationError, match="DISPUTEFLOW_CASE_FILES"):
        Settings.from_env(home=tmp_path)
