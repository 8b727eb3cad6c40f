"""The value lists of docs/writing-a-plugin.md, generated from :mod:`disputeflow.core.taxonomy`.

``python -m disputeflow.kit.vocabulary docs/writing-a-plugin.md`` rewrites the part of the
guide between the two markers; a test fails when the guide and the enums differ.
"""

from __future__ import annotations

import inspect
import re
import sys
from enum import StrEnum
from pathlib import Path

from disputeflow.core import taxonomy

BEGIN = "<!-- vocabulary: generated from disputeflow/core/taxonomy.py; do not edit -->"
END = "<!-- end of vocabulary -->"

# (heading, enum, where a plugin meets it), in the order the guide lists them.
VOCABULARIES: tuple[tuple[str, type[StrEnum], str], ...] = (
    ("Kinds", taxonomy.CaseKind, "`CaseSnapshot.kind`, `Capabilities` keys"),
    ("Categories", taxonomy.Category, "`CaseSnapshot.category`"),
    ("Statuses", taxonomy.CaseStatus, "`CaseSnapshot.status`"),
    ("Outcomes", taxonomy.Outcome, "`CaseSnapshot.outcome` (only with status `resolved`)"),
    ("Stages", taxonomy.Stage, "`CaseSnapshot.stage`"),
    ("Action types", taxonomy.ActionType, "`Capabilities` values, `ActionRequest.type`"),
    ("Deadline kinds", taxonomy.DeadlineKind, "`Deadline.kind`"),
    ("Actors", taxonomy.Actor, "`Deadline.party`, `Evidence.party`, `Message.party`"),
)
_MEMBER = re.compile(r'^\s+(?P<name>[A-Z_]+) = "[^"]*"(?:\s+#\s*(?P<note>.*))?$')


def _notes(enum: type[StrEnum]) -> dict[str, str]:
    """Member name -> the comment beside it in taxonomy.py ('' where there is none)."""
    found = {}
    for line in inspect.getsource(enum).splitlines():
        match = _MEMBER.match(line)
        if match:
            found[match["name"]] = match["note"] or ""
    return found


def render() -> str:
    """The markdown of every vocabulary, between the markers."""
    parts = [BEGIN]
    for heading, enum, used in VOCABULARIES:
        notes = _notes(enum)
        doc = (enum.__doc__ or "").strip()
        parts += ["", f"### {heading}: `{enum.__name__}`", "", f"{doc} Used in {used}.", ""]
        for member in enum:
            note = notes.get(member.name)
            parts.append(f"- `{member.value}`" + (f": {note}" if note else ""))
    return "\n".join([*parts, "", END])


def rewrite(text: str) -> str:
    """``text`` with the part between the markers replaced by :func:`render`."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


if __name__ == "__main__":
    guide = Path(sys.argv[1])
    guide.write_text(rewrite(guide.read_text()))
