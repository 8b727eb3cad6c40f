"""Classification: platform codes first, then the buyer's words in six languages."""

from __future__ import annotations

import pytest

from disputeflow import Category, Classification, Message, hookimpl
from disputeflow.features.handling.classify import (
    LANGUAGES,
    case_texts,
    classify_case,
    classify_texts,
    needs_classification,
    phrase_rules,
)
from tests.builders import T0, snapshot
from tests.core.handling.conftest import ingest

# (language, the buyer's words, the category they point at)
WORDS = [
    ("en", "My parcel never arrived and tracking shows nothing", "not_received"),
    ("en", "The jacket is too small, I need a bigger one", "size_fit"),
    ("en", "I was charged twice for the same order", "duplicate_charge"),
    ("en", "I did not authorize this purchase", "fraud"),
    ("de", "Das Paket ist nie angekommen", "not_received"),
    ("de", "Der Artikel kam beschädigt an, die Ecke ist eingedrückt", "damaged"),
    ("de", "Ich habe das Abo gekündigt und werde trotzdem belastet", "subscription_canceled"),
    ("de", "Falscher Artikel geliefert, ich hatte Blau bestellt", "wrong_item"),
    ("fr", "Je n'ai toujours pas reçu mon colis", "not_received"),
    ("fr", "L'appareil ne fonctionne pas du tout", "defective"),
    ("fr", "J'ai changé d'avis, je souhaite exercer mon droit de rétractation", "changed_mind"),
    ("fr", "J'ai été débité deux fois", "duplicate_charge"),
    ("es", "No he recibido el paquete", "not_received"),
    ("es", "No he recibido el reembolso de mi devolución", "credit_not_processed"),
    ("es", "La talla es demasiado pequeño para mí", "size_fit"),
    ("es", "El producto no es como se describe en la web", "not_as_described"),
    ("zh", "我一直没收到包裹", "not_received"),
    ("zh", "收到的商品破损了", "damaged"),
    ("zh", "尺码不合适，太小了", "size_fit"),  # noqa: RUF001  (Chinese writes a full-width comma)
    ("zh", "这笔订单被重复扣款", "duplicate_charge"),
    ("ja", "商品がまだ届いていません", "not_received"),
    ("ja", "届いた商品が初期不良で動かない", "defective"),
    ("ja", "注文と違う商品が届きました", "wrong_item"),
    ("ja", "身に覚えのない請求です", "fraud"),
]


def test_every_language_has_rules_for_every_consumer_category():
    covered = {(rule.language, rule.category) for rule in phrase_rules()}
    categories = {rule.category for rule in phrase_rules()}
    assert set(LANGUAGES) == {language for language, _ in covered}
    assert {
        Category.NOT_RECEIVED,
        Category.NOT_AS_DESCRIBED,
        Category.DAMAGED,
        Category.DEFECTIVE,
        Category.CHANGED_MIND,
        Category.SIZE_FIT,
        Category.FRAUD,
    } <= categories
    assert covered == {(language, category) for language in LANGUAGES for category in categories}


@pytest.mark.parametrize(("language", "words", "category"), WORDS)
def test_the_buyers_words_decide_in_each_language(language, words, category):
    decided = classify_texts([words])
    assert decided is not None, words
    assert decided.category == category
    assert decided.rule == f"keywords:{language}.{category}"
    assert decided.details["language"] == language
    assert 0.5 <= decided.confidence <= 0.95


def test_a_longer_phrase_wins_over_the_phrase_inside_it():
    decided = classify_texts(["No he recibido el reembolso"])
    assert decided.category == "credit_not_processed"
    assert decided.details["matched"] == "no he recibido el reembolso"


def test_more_phrases_raise_confidence_and_competing_ones_lower_it():
    one = classify_texts(["too small"])
    two = classify_texts(["too small, it doesn't fit"])
    assert two.confidence > one.confidence
    assert classify_texts(["it is damaged and does not work"]) is None  # a tie decides nothing


@pytest.mark.parametrize("words", ["general", "gift for an enemy", "", "Bitte um Rückruf"])
def test_words_that_say_nothing_decide_nothing(words):
    assert classify_texts([words]) is None


def test_latin_phrases_match_whole_words_only():
    assert classify_texts(["fraudster"]) is None  # "fraud" is a word of its own
    assert classify_texts(["It was fraud"]).category == "fraud"


def test_platform_reason_codes_come_first(runtime, connection_id):
    case = ingest(
        runtime,
        connection_id,
        snapshot(category="not_received", messages=(Message("m1", "buyer", "too small", T0),)),
    )
    assert case.category == "not_received"
    assert "classification" not in case.extra


def test_a_generic_case_is_classified_from_the_buyers_message(runtime, connection_id):
    words = Message("m1", "buyer", "Das Paket ist nicht angekommen", T0)
    case = ingest(
        runtime,
        connection_id,
        snapshot(category="other", platform_reason="general", messages=(words,)),
    )
    assert case.category == "not_received"
    record = case.extra["classification"]
    assert (record["rule"], record["confidence"]) == ("keywords:de.not_received", 0.55)
    assert record["details"]["language"] == "de"
    [entry] = [e for e in case.timeline if e.kind == "category_changed"]
    assert (entry.actor, entry.summary) == (
        "system",
        "classified as not_received by keywords:de.not_received (55%)",
    )


def test_merchant_words_do_not_classify(runtime, connection_id):
    words = Message("m1", "merchant", "the parcel never arrived? let us check", T0)
    case = ingest(runtime, connection_id, snapshot(category="other", messages=(words,)))
    assert case.category == "other"


def test_a_mastercard_4853_bundle_is_classified_from_the_words():
    from disputeflow.core.testing import minimal_case

    case = minimal_case("fake", "chargeback")
    case.category = Category.NOT_AS_DESCRIBED
    case.network_reason_code = "4853"
    case.extra["buyer_comment"] = "I never received the goods"
    assert needs_classification(case)
    assert "I never received the goods" in case_texts(case)
    assert classify_case(case).category == "not_received"
    case.network_reason_code = "13.1"
    assert not needs_classification(case)


def test_a_plugins_model_takes_over_from_the_built_in_rules(runtime, connection_id):
    class Model:
        @hookimpl
        def disputeflow_classify_case(self, case):
            return Classification(Category.DEFECTIVE, 0.91, "model:v3")

    runtime.plugins.register(Model(), name="model")
    words = Message("m1", "buyer", "my parcel never arrived", T0)
    case = ingest(runtime, connection_id, snapshot(category="other", messages=(words,)))
    assert case.category == "defective"
    assert case.extra["classification"]["rule"] == "model:v3"


def test_a_return_comment_in_extra_is_read(runtime, connection_id):
    case = ingest(
        runtime,
        connection_id,
        snapshot(
            kind="return",
            object_type="return",
            category="other",
            extra={"customer_note": "サイズが合わないので返品したい"},
        ),
    )
    assert case.category == "size_fit"
    assert case.extra["classification"]["details"]["language"] == "ja"


def test_later_generic_snapshots_keep_the_classified_category(runtime, connection_id):
    words = Message("m1", "buyer", "Le colis est arrivé cassé", T0)
    first = ingest(runtime, connection_id, snapshot(category="other", messages=(words,)))
    later = ingest(
        runtime, connection_id, snapshot(hours=1, category="other", status="under_review")
    )
    assert first.category == later.category == "damaged"  # classified again, the same way
    assert [e.summary for e in later.timeline if e.actor == "system"] == [
        "classified as damaged by keywords:fr.damaged (55%)"
    ]
