"""CSV that opens as data, not formulas, in a spreadsheet.

Platform text (reasons, product names) is not ours: a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is evaluated by Excel and LibreOffice (OWASP,
"CSV Injection"). Such text cells get a leading ``'``, which spreadsheets show as text;
numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it literally (``None`` becomes an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document of ``columns`` and ``rows``, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(column) for column in columns])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
