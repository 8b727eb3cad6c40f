"""CSV exports cannot carry a formula into the merchant's spreadsheet (issue 16).

A product name or platform reason that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is a formula to Excel and LibreOffice (OWASP "CSV Injection"); the export
prefixes such text cells with ``'`` so they open as text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from disputeflow.core.clock import utcnow
from disputeflow.webhooks.web.csv_export import csv_text, safe_cell
from tests.builders import snapshot

HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1+1)", "\tTAB", "\rCR")  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_would_be_a_formula_is_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert csv_text(["h"], [[value]]).splitlines()[1].startswith(("'", "\"'"))


def test_ordinary_cells_and_numbers_are_left_alone():
    assert [safe_cell(v) for v in ("fraud", "a=b", "", None, 3, -12.5)] == [
        "fraud", "a=b", "", "", 3, -12.5,
    ]  # fmt: skip


def test_the_analytics_export_neutralises_platform_text(as_role, add_case):
    opened = utcnow() - timedelta(days=1)
    for number, sku in enumerate(HOSTILE):
        add_case(snapshot(f"h{number}", platform_reason=sku, extra={"sku": sku},
                          observed_at=opened, opened_at=opened))  # fmt: skip
    since = (opened - timedelta(days=1)).date().isoformat()
    until = (utcnow() + timedelta(days=1)).date().isoformat()
    client = as_role("viewer")
    answer = client.get(f"/workspace/analytics/root_causes.csv?since={since}&until={until}")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert len(rows) > 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any("HYPERLINK" in cell for row in rows for cell in row)
