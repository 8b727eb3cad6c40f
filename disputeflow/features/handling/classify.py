"""The built-in classifier: the buyer's own words, in six languages, when the platform's
reason is generic.

Platform reason codes come first: a plugin maps them into ``category``. Only a case whose
category is ``other`` (Shopify ``general``, an unknown reason, free text) or whose network
code bundles several reasons (Mastercard 4853) is classified here, from phrase rules shipped
as data (``core/data/classification.toml``). A plugin with a trained model takes over
through the ``disputeflow_classify_case`` hook: this classifier is asked last.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from disputeflow.core.case import Case
from disputeflow.core.events import Classification
from disputeflow.core.taxonomy import Actor, Category

DATA_FILE = "classification.toml"
LANGUAGES = ("en", "de", "fr", "es", "zh", "ja")
UNSPACED = frozenset({"zh", "ja"})  # phrases match anywhere, not at word boundaries
# Network codes that bundle several consumer reasons: the buyer's words tell which one.
BUNDLED_CODES = frozenset({"4853"})
THRESHOLD = 0.5


@dataclass(frozen=True)
class PhraseRule:
    """Phrases of one language that point at one category."""

    id: str
    category: Category
    language: str
    phrases: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


def normalise(text: str) -> str:
    """NFKC, case-folded, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def _pattern(phrase: str, language: str) -> re.Pattern[str]:
    escaped = re.escape(normalise(phrase))
    if language in UNSPACED:
        return re.compile(escaped)
    return re.compile(rf"(?<!\w){escaped}(?!\w)")


@cache
def _data() -> tuple[tuple[PhraseRule, ...], tuple[str, ...]]:
    text = (
        resources.files("disputeflow.features.handling.data").joinpath(DATA_FILE).read_text("utf-8")
    )
    data = tomllib.loads(text)
    rules = tuple(
        PhraseRule(
            id=rule_id,
            category=Category(rule["category"]),
            language=rule["language"],
            phrases=tuple(rule["phrases"]),
            patterns=tuple(_pattern(p, rule["language"]) for p in rule["phrases"]),
        )
        for rule_id, rule in data["rules"].items()
    )
    return rules, tuple(data["text_fields"])


def phrase_rules() -> tuple[PhraseRule, ...]:
    """Every phrase rule of the data file."""
    return _data()[0]


def needs_classification(case: Case) -> bool:
    """Whether the platform's reason leaves the category open."""
    return case.category == Category.OTHER or case.network_reason_code in BUNDLED_CODES


def case_texts(case: Case) -> list[str]:
    """The buyer's own words on a case: their messages, the platform's reason text and the
    return comments plugins keep in ``extra``."""
    texts = [m.body for m in case.messages if m.party is Actor.BUYER]
    if case.platform_reason:
        texts.append(case.platform_reason.replace("_", " "))
    for key in _data()[1]:
        value = case.extra.get(key)
        if isinstance(value, str):
            texts.append(value)
    return texts


@dataclass(frozen=True)
class _Hit:
    rule: PhraseRule
    phrase: str
    start: int
    end: int


def _hits(text: str) -> list[_Hit]:
    found = [
        _Hit(rule, phrase, match.start(), match.end())
        for rule in phrase_rules()
        for phrase, pattern in zip(rule.phrases, rule.patterns, strict=True)
        for match in pattern.finditer(text)
    ]
    # a phrase inside a longer phrase that also matched counts once, for the longer one
    return [
        hit
        for hit in found
        if not any(
            other is not hit
            and other.start <= hit.start
            and hit.end <= other.end
            and (other.end - other.start) > (hit.end - hit.start)
            for other in found
        )
    ]


def classify_texts(texts: list[str]) -> Classification | None:
    """The category the words point at, with a confidence; ``None`` when nothing (or a tie)
    decides. The rule is ``keywords:<language>.<category>``."""
    hits = [hit for text in texts for hit in _hits(normalise(text))]
    if not hits:
        return None
    scores: dict[Category, int] = {}
    for hit in hits:
        scores[hit.rule.category] = scores.get(hit.rule.category, 0) + 1
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, best_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    confidence = round(
        min(0.95, 0.55 + 0.1 * (best_score - 1)) * best_score / (best_score + second), 2
    )
    if confidence < THRESHOLD:
        return None
    winning = [hit for hit in hits if hit.rule.category is best]
    languages = sorted({hit.rule.language for hit in winning})
    rule = min(winning, key=lambda hit: hit.rule.id).rule
    return Classification(
        category=best,
        confidence=confidence,
        rule=f"keywords:{rule.id}",
        details={
            "language": ",".join(languages),
            "matched": ", ".join(sorted({hit.phrase for hit in winning})),
        },
    )


def classify_case(case: Case) -> Classification | None:
    """Classify a case from the buyer's words, or ``None`` when they do not decide."""
    return classify_texts(case_texts(case))
