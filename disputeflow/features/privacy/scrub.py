"""Scrubbing a person out of free text, by the values an erasure names.

Structured fields (the buyer, message bodies, evidence texts) are cleared by
:mod:`disputeflow.features.privacy.erasure`; this module finds the same person where people write
about them: an agent's note ("Called Zed Shaw at zed@example.com"), an action's message,
a rule's explanation, a notice's recipient. Every string inside a value (JSON included) is
searched, case-insensitively, for the person's e-mail, customer id, full name, each word of
the name, and the phone number with any separators and with or without its prefixes; each
hit becomes ``[erased]``. A word of the name never erases a whole lower-case identifier (a
buyer called "Will Open" leaves the status ``open`` alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from disputeflow.engine.store.tables import (
    ActionRow,
    CaseSnapshotRow,
    NoticeRow,
    RuleRunRow,
    TimelineRow,
)

ERASED = "[erased]"
MIN_LENGTH = 3  # shorter values (an id "7", a name "Al") would erase unrelated text
MIN_PHONE_DIGITS = 7  # a subscriber number without its area code
_SEPARATORS = r"[\s().\-/]*"
# A lower-case identifier ("open", "will_call") is a vocabulary value, not free text.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
# Notices still owed to somebody: dropped, so nobody is written to about an erased person.
QUEUED_NOTICES = ("pending", "running", "failed")


@dataclass(frozen=True)
class Needles:
    """What identifies the person: exact values, name words, phone numbers."""

    values: frozenset[str] = frozenset()  # e-mail, customer id, full name, address lines
    words: frozenset[str] = frozenset()  # the words of the name, matched as whole words
    phones: frozenset[str] = frozenset()  # digits only

    @classmethod
    def of(
        cls,
        values: Iterable[str | None] = (),
        names: Iterable[str | None] = (),
        phones: Iterable[str | None] = (),
    ) -> Needles:
        named = [n.strip() for n in names if n and n.strip()]
        exact = {v.strip() for v in [*values, *named] if v and len(v.strip()) >= MIN_LENGTH}
        words = {w for n in named for w in re.findall(r"\w+", n) if len(w) >= MIN_LENGTH}
        digits = {re.sub(r"\D", "", p) for p in phones if p}
        return cls(
            frozenset(exact),
            frozenset(words),
            frozenset(d for d in digits if len(d) >= MIN_PHONE_DIGITS),
        )

    def __or__(self, other: Needles) -> Needles:
        return Needles(
            self.values | other.values, self.words | other.words, self.phones | other.phones
        )

    def __bool__(self) -> bool:
        return bool(self.values or self.words or self.phones)

    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression for all of them (longest first), or ``None``."""
        parts = [re.escape(v) for v in sorted(self.values, key=len, reverse=True)]
        parts += [_phone(p) for p in sorted(self.phones, key=len, reverse=True)]
        words = [re.escape(w) for w in sorted(self.words, key=len, reverse=True)]
        if words:
            parts.append(rf"(?P<word>\b(?:{'|'.join(words)})\b)")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def whole_values(self) -> Needles:
        """Without the words of the name: what may decide that a whole raw delivery is
        about the person (a first name alone may be another buyer's)."""
        return Needles(self.values, frozenset(), self.phones)


def _phone(digits: str) -> str:
    """A phone number written any way: separators anywhere, with or without its country
    or area prefix (every ending of at least ``MIN_PHONE_DIGITS`` digits, longest first),
    never inside a longer number."""
    endings = range(len(digits) - MIN_PHONE_DIGITS + 1)
    spelled = "|".join(_SEPARATORS.join(digits[start:]) for start in endings)
    return rf"(?<!\d)(?:{spelled})(?!\d)"


def scrub(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """``value`` with every hit in every string (keys of mappings too) replaced."""
    if pattern is None:
        return value
    if isinstance(value, str):
        if _IDENTIFIER.fullmatch(value):  # a status, a kind: a name's word never erases it
            return pattern.sub(lambda m: m[0] if m.groupdict().get("word") else ERASED, value)
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {scrub(k, pattern): scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, pattern) for v in value]
    return value


def mentions(value: Any, pattern: re.Pattern[str] | None) -> bool:
    """Whether any string inside ``value`` has a hit."""
    return pattern is not None and scrub(value, pattern) != value


def scrub_case_rows(session: Session, case_id: str, needles: Needles) -> None:
    """Scrub the free text of a case's timeline, snapshots, actions, rule runs and sent
    notices, and drop the notices still queued for it."""
    pattern = needles.pattern()
    session.execute(
        delete(NoticeRow).where(NoticeRow.case_id == case_id, NoticeRow.status.in_(QUEUED_NOTICES))
    )
    for row in session.scalars(select(TimelineRow).where(TimelineRow.case_id == case_id)):
        row.summary, row.data = scrub(row.summary, pattern), scrub(dict(row.data), pattern)
    for snapshot in session.scalars(
        select(CaseSnapshotRow).where(CaseSnapshotRow.case_id == case_id)
    ):
        snapshot.data = scrub(dict(snapshot.data), pattern)
    for action in session.scalars(select(ActionRow).where(ActionRow.case_id == case_id)):
        action.params = scrub(dict(action.params), pattern)
        action.result = scrub(dict(action.result), pattern) if action.result else action.result
        action.last_error = scrub(action.last_error, pattern)
    for run in session.scalars(select(RuleRunRow).where(RuleRunRow.case_id == case_id)):
        run.message = scrub(run.message, pattern)
    for notice in session.scalars(select(NoticeRow).where(NoticeRow.case_id == case_id)):
        notice.data = scrub(dict(notice.data), pattern)
        notice.channels = scrub(dict(notice.channels), pattern)
        notice.last_error = scrub(notice.last_error, pattern)
