"""The workspace in the buyer pages' six languages: chosen from the browser or on the page
(and kept), dates, money and numbers written by Babel for the language, and every page of
the workspace rendered in every language with no English left over.

The leftover check reads each page's visible text (and its labels and placeholders), leaving
out what is not the workspace's own words: code, quotations of what people wrote, and
anything marked with another ``lang`` (the language links, the statutes' English texts).
It fails on any text of the catalogue left in English; in Japanese and Chinese it also fails
on any Latin word that is not data of the test (a store's name, a case number...).
"""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from disputeflow import Deadline, Order, Party
from disputeflow.core.clock import utcnow
from disputeflow.engine.store import connections
from disputeflow.engine.store.tables import ActionRow
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay.cases import case_snapshot
from tests.builders import snapshot
from tests.plugins.ebay.conftest import SETTINGS
from tests.plugins.ebay.payloads import a_case
from tests.seeded import seed
from tests.webhooks.web.conftest import csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n_catalog  # noqa: E402

LANGS = ("de", "fr", "es", "ja", "zh_Hans")
SKIPPED = {"script", "style", "code", "q", "title"}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Names that stay as they are in every language: products, programmes, formats.
NAMES = {"disputeflow", "eBay", "Fake", "marketplace", "Shopify", "Visa", "VAMP", "Mastercard",
         "ECP", "YYYY", "API", "CSV", "https", "http", "UTC", "SKU", "PDF", "Cookie", "Webhook",
         "Excessive", "Chargeback", "Program", "myshopify", "acme"}  # fmt: skip


class Visible(HTMLParser):
    """The text a reader sees, and the labels a screen reader says, of the page's own words."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang, self.stack, self.texts = lang, [], []

    def _hidden(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        other = "lang" in found and tag != "html" and found["lang"] != self.lang
        if not self._hidden() and not other:
            self.texts += [found[a] for a in ("aria-label", "placeholder") if found.get(a)]
        if tag not in ("br", "input", "meta", "link", "img", "rect", "circle", "line"):
            self.stack.append((tag, tag in SKIPPED or other))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.texts.append(" ".join(data.split()))


def english_leftovers(html, lang, messages, translated):
    """Catalogue texts left in English on a page in ``lang`` (a text that is also the
    translation of some message, like German "Filter", is not one)."""
    parser = Visible(lang.replace("_", "-"))
    parser.feed(html)
    found = []
    for text in parser.texts:
        if text in translated:
            continue
        for english in messages:
            pieces = [p.strip(" .,:;()") for p in PLACEHOLDER.split(english)]
            if text == english or any(len(p) >= 12 and p in text for p in pieces):
                found.append((english, text))
    return found, parser.texts


def latin_words(texts, data):
    """Latin words (four letters or more) that are not data: for Japanese and Chinese."""
    allowed = NAMES | {w for item in data for w in re.findall(r"[A-Za-z]{4,}", item)}
    said = [t for t in texts if not t.startswith(("http://", "https://"))]  # links to sources
    return sorted({w for t in said for w in re.findall(r"[A-Za-z]{4,}", t)} - allowed)


@pytest.fixture
def fake_plugins(fake_plugins):
    fake_plugins.register(ebay_plugin, name="ebay")
    return fake_plugins


@pytest.fixture
def world(runtime, app, make_token, add_case):
    """A workspace with something on every page: the analytics data set, an eBay claim, a
    Japanese buyer's return with deadlines, actions queued from the forms, a connection that
    needs a new install; and the data (names, numbers) the pages may show as they are."""
    ids = seed(runtime)
    ebay = runtime.add_connection("ebay", "de-shop", dict(SETTINGS))
    due = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    claim = add_case(case_snapshot(a_case("5300011111", respondByDate={"value": due}), utcnow()),
                     connection_id=ebay["id"])  # fmt: skip
    jp = add_case(snapshot(
        "jp-7", kind="return", object_type="return", category="size_fit",
        opened_at=utcnow() - timedelta(days=1), observed_at=utcnow() - timedelta(days=1),
        order=Order("o-7", "#7007"), buyer=Party(name="Aiko Tanaka", country="JP"),
        deadlines=(Deadline("platform_response", utcnow() + timedelta(hours=20), "fake"),),
    ), connection_id=ids["eu"])  # fmt: skip
    open_dispute = add_case(snapshot("cb-77", opened_at=utcnow(), observed_at=utcnow()),
                            connection_id=ids["eu"])  # fmt: skip
    admin = app.test_client()
    sign_in(admin, make_token("admin", name="Ana"))
    for form in ({"type": "refund", "amount": "5.00", "rationale": "Scratched box"},
                 {"type": "add_note", "message": "Called the buyer"},
                 {"type": "assign", "assignee": "Team Returns", "message": "Sizes"}):  # fmt: skip
        page = admin.get(f"/workspace/cases/{jp}").text
        admin.post(f"/workspace/cases/{jp}/actions", data={"csrf_token": csrf_of(page), **form})
    admin.get(f"/workspace/cases/{jp}")  # the flash of the last form is shown, in English
    packet = admin.get(f"/workspace/cases/{ids['d1']}/evidence").text
    edited = {"csrf_token": csrf_of(packet), "item": ["billing_address"],
              "shown-billing_address": "", "text-billing_address": "1 Main St, Berlin",
              "statement": "Ordered and delivered.", "file_item": "delivery",
              "file": (io.BytesIO(b"%PDF-1.4 pod"), "pod.pdf")}  # fmt: skip
    saved = admin.post(f"/workspace/cases/{ids['d1']}/evidence", data=edited,
                       content_type="multipart/form-data")  # fmt: skip
    assert saved.status_code == 302, saved.text
    admin.get(f"/workspace/cases/{ids['d1']}/evidence")  # its flash, in English, is shown
    with runtime.database.session() as session:
        connections.get_row(session, ids["us"]).state = "needs_reauth"
        refund, note, _assign = session.scalars(
            select(ActionRow).where(ActionRow.case_id == jp).order_by(ActionRow.created_at)
        )
        refund.status, refund.last_error = "failed", "Card declined"
        note.result = {"message": "Noted upstream"}
    pages = [
        "/workspace/",
        "/workspace/?status=lost&buyer_country=Germany",
        "/workspace/analytics?since=2026-09-01&until=2026-12-01",
        "/workspace/analytics",
        "/workspace/ratios?month=2026-11",
        "/workspace/ratios?month=November",
        "/workspace/connections",
        f"/workspace/connections/{ids['us']}",
        f"/workspace/connections/{ebay['id']}",
        "/workspace/cases/case_nope",
        *(f"/workspace/cases/{ids[n]}" for n in ("d1", "d2", "r1", "s1", "s2")),
        f"/workspace/cases/{claim}",
        f"/workspace/cases/{jp}",
        f"/workspace/cases/{ids['d1']}/evidence",
        f"/workspace/cases/{ids['d2']}/evidence",
        f"/workspace/cases/{jp}/evidence",
        f"/workspace/cases/{open_dispute}",
        f"/workspace/cases/{open_dispute}/evidence",
    ]
    data = ["eu-store", "us-store", "de-shop", "eu-shop", "us-shop", "Aiko Tanaka", "tokyo_buyer",
            "Team Returns", "Called the buyer", "Sizes", "Scratched box", "Happy to help",
            "fraudulent", "unrecognized", "not_received", "changed_mind", "item_not_received",
            "ITEM_NOT_RECEIVED", "MUG-1", "TEE-9", "DHL", "DPD", "chargebacks", "returns",
            "claims", "inquiries", "Store", "demo_seller", "kaeufer_de", "BUYER", "OPEN",
            "EBAY_DE", "Disputef-demo-PRD", "ebay.test", "signing_secret", "marketplace_id",
            "client_id", "api_base_url", "verification_token", "shop", "client_secret",
            "refresh_token", "shopify", "lost", "Germany", "Card declined", "Noted upstream",
            *SETTINGS.values()]  # fmt: skip
    return admin, pages, data


def test_the_browser_language_is_used_and_a_picked_one_is_kept(as_role):
    client = as_role("viewer")
    german = client.get("/workspace/", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in german.text
    assert "<h1>Posteingang</h1>" in german.text
    picked = client.get("/workspace/?lang=ja", headers={"Accept-Language": "de"})
    assert '<html lang="ja">' in picked.text
    assert "disputeflow_lang=ja" in picked.headers["Set-Cookie"]
    assert "HttpOnly" in picked.headers["Set-Cookie"]
    kept = client.get("/workspace/analytics", headers={"Accept-Language": "de"})
    assert '<html lang="ja">' in kept.text, "the choice on the page outlasts the browser's"
    assert 'href="/workspace/analytics?lang=zh_Hans"' in kept.text
    assert '<html lang="en">' in as_role("viewer").get("/workspace/").text, "English by default"


def test_dates_money_and_numbers_are_written_for_the_language(as_role, add_case):
    due = datetime(2027, 3, 7, 13, 5, tzinfo=UTC)
    case_id = add_case(snapshot("fmt-1", deadlines=(Deadline("platform_response", due, "fake"),),
                                opened_at=utcnow(), observed_at=utcnow()))  # fmt: skip
    client = as_role("viewer")
    german = client.get(f"/workspace/cases/{case_id}?lang=de").text
    assert "12,50\xa0€" in german
    assert "07.03.2027, 13:05 (UTC)" in german or "07.03.2027 13:05 (UTC)" in german
    french = client.get(f"/workspace/cases/{case_id}?lang=fr").text
    assert "12,50\xa0€" in french
    assert "7 mars 2027" in french
    japanese = client.get(f"/workspace/cases/{case_id}?lang=ja").text
    assert "€12.50" in japanese
    assert "2027/03/07" in japanese


@pytest.mark.parametrize("lang", LANGS)
def test_every_workspace_page_speaks_the_language(runtime, app, world, lang):
    admin, pages, data = world
    with (i18n_catalog.LOCALES / lang / "LC_MESSAGES" / "disputeflow.po").open("rb") as handle:
        catalogue = read_po(handle)
    messages = [m.id for m in catalogue if m.id and m.string and m.string != m.id]
    translated = {m.string for m in catalogue if m.string}
    fresh = app.test_client()
    sign_in_page = fresh.get(f"/workspace/sign-in?lang={lang}").text
    checked = [("/workspace/sign-in", sign_in_page)]
    checked += [(path, admin.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").text)
                for path in pages]  # fmt: skip
    for path, html in checked:
        assert f'<html lang="{lang.replace("_", "-")}">' in html, path
        leftovers, texts = english_leftovers(html, lang, messages, translated)
        assert leftovers == [], (path, leftovers)
        if lang in ("ja", "zh_Hans"):
            latin = [t for t in texts if latin_words([t], data)]
            assert latin == [], path
