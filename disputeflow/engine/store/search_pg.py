"""PostgreSQL: which trigrams of a search term to hand the ``pg_trgm`` GIN index.

A GIN scan reads the whole list of rows of every trigram it is given. For a term holding
a trigram most cases hold (``exa`` of ``example.com``, ``buy`` of a common word) that is
tens of megabytes at a million cases, though the term itself is in one case: ~70 ms for
an e-mail address where its rare trigrams alone take 1 ms. So the index is asked for up
to :data:`PICK` trigrams of the term that are rare, and the exact substring test follows
(:func:`disputeflow.engine.store.case_search.condition`).

How common a trigram is comes from the sample of ``search_text`` that ``ANALYZE``
(autovacuum) keeps in ``pg_stats`` (about 100 texts at the default statistics target),
read again every :data:`REFRESH` seconds: a trigram in at most :data:`RARE` of them is
rare. It takes two rare trigrams at least: one alone, in 1 % of the cases, would have the
planner fetch its 10,000 rows at a million cases where reading the newest cases in order
finds a page sooner. Only trigrams of ASCII letters and digits are picked, which
``pg_trgm`` indexes in any locale. Without a sample (a table never analysed), or without
two rare trigrams, the term goes to the index whole, as ``LIKE`` gives it.
"""

from __future__ import annotations

import time
from collections import Counter
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

PICK = 3
RARE = 0.02  # at most this share of the sampled texts holds a rare trigram
AT_LEAST = 2
REFRESH = 600.0  # seconds
_MIN_SAMPLE = 50
_TRIGRAM = 3
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SAMPLES: WeakKeyDictionary[Engine, tuple[float, Counter[str], int]] = WeakKeyDictionary()


def rare_trigrams(session: Session, term: str) -> list[str]:
    """Up to :data:`PICK` rare trigrams of the lower-cased ``term``, rarest first; none
    when the sample is missing or fewer than :data:`AT_LEAST` are rare."""
    counts, size = _sample(session)
    if size < _MIN_SAMPLE:
        return []
    grams = dict.fromkeys(term[i : i + _TRIGRAM] for i in range(len(term) - _TRIGRAM + 1))
    usable = [g for g in grams if set(g) <= _ASCII_ALNUM and counts[g] <= RARE * size]
    return sorted(usable, key=lambda g: counts[g])[:PICK] if len(usable) >= AT_LEAST else []


def _sample(session: Session) -> tuple[Counter[str], int]:
    """In how many sampled texts each trigram is, and how many texts; cached a while."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    cached = _SAMPLES.get(engine)
    if cached is not None and time.monotonic() - cached[0] < REFRESH:
        return cached[1], cached[2]
    texts = session.scalar(
        text(
            "SELECT histogram_bounds::text::text[] FROM pg_stats WHERE schemaname ="
            " current_schema() AND tablename = 'cases' AND attname = 'search_text'"
        )
    )
    counts: Counter[str] = Counter()
    for sampled in texts or ():
        counts.update({sampled[i : i + _TRIGRAM] for i in range(len(sampled) - _TRIGRAM + 1)})
    _SAMPLES[engine] = (time.monotonic(), counts, len(texts or ()))
    return counts, len(texts or ())


def forget() -> None:
    """Drop the cached samples (tests; a process sees a new sample at the next refresh)."""
    _SAMPLES.clear()
