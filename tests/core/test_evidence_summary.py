"""The packet's PDF summary, from packets built directly: what it prints as text (never as
markup), where each platform takes it, and its file name.

The free file fields are the catalogue's (docs/evidence.md: Stripe ``uncategorized_file``,
https://docs.stripe.com/api/disputes/update; Shopify's ``uncategorized_file`` dispute file
type, https://shopify.dev/docs/api/admin-rest/latest/resources/dispute-file-upload; both
checked 2026-12-05).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from disputeflow.core.evidence import EvidenceItem
from disputeflow.core.testing import minimal_case
from disputeflow.features.evidence import summary
from disputeflow.features.evidence.packet import DISPUTEFLOW, PLATFORM, Edits, StoredFile, build
from disputeflow.features.evidence.submit import summary_field

PREPARED = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
MARKUP = '<img src="http://127.0.0.1:9/track.png"> & <b>bold</b>'


def packet(platform="stripe", *, files=(), excluded=frozenset()):
    found = [
        (PLATFORM, EvidenceItem("tracking", "1Z999AA10123456784", "Stripe charge ch_1",
                                as_of=datetime(2026, 11, 2, tzinfo=UTC))),
        (DISPUTEFLOW, EvidenceItem("buyer_messages", f"buyer: 荷物が届きません {MARKUP}",
                                   "disputeflow: messages on the case")),
    ]  # fmt: skip
    edits = Edits(statement="Shipped and delivered.", files=tuple(files), excluded=excluded)
    return build("case_1", platform, "not_received", found, edits=edits)


def facts(external_id="dp_123"):
    case = minimal_case("stripe", "chargeback")
    case.external_id = external_id
    return summary.Facts(case, "eu-shop", PREPARED)


def pdf_text(data):
    return " ".join(
        "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_texts_are_printed_as_text_never_as_markup():
    page = summary.html(packet(), facts())
    assert "<img" not in page.split("<body>", 1)[1]
    assert "&lt;img src=&#34;http://127.0.0.1:9/track.png&#34;&gt;" in page
    text = pdf_text(summary.pdf(packet(), facts()))
    assert MARKUP in text, "shown as written, nothing fetched"
    assert "荷物が届きません" in text, "Japanese is printed (fonts-noto-cjk)"
    assert "Tracking number" in text
    assert "as of November 2, 2026" in text
    assert "sent in Stripe's field shipping_tracking_number" in text
    assert "sent in Stripe's uncategorized_text" in text
    assert "prepared by disputeflow on Dec 5, 2026" in text


def test_files_are_listed_and_left_out_items_are_not():
    stored = StoredFile("fil_1", "delivery", "pod.pdf", "application/pdf")
    text = pdf_text(summary.pdf(packet(files=[stored], excluded={"buyer_messages"}), facts()))
    assert "pod.pdf Carrier delivery confirmation" in text
    assert "荷物" not in text
    assert "Evidence (1 item)" in text


@pytest.mark.parametrize(
    ("platform", "files", "field"),
    [
        ("stripe", (), "uncategorized_file"),
        ("shopify", (), "uncategorized_file"),
        # Stripe's delivery file goes in shipping_documentation: the free file stays free.
        ("stripe", (("delivery", "pod.pdf"),), "uncategorized_file"),
        # Shopify takes a receipt in its free file field: none is left for the summary.
        ("shopify", (("receipt", "receipt.pdf"),), None),
        # Two receipts on Stripe: the second takes the free file field.
        ("stripe", (("receipt", "r1.pdf"), ("receipt", "r2.pdf")), None),
        ("fake", (), None),  # a platform the catalogue does not know takes no file
    ],
)
def test_where_the_summary_goes(platform, files, field):
    stored = [StoredFile(f"fil_{n}", item, name, "application/pdf")
              for n, (item, name) in enumerate(files)]  # fmt: skip
    assert summary_field(packet(platform, files=stored)) == field


def test_the_file_name_names_the_case_and_nothing_else():
    assert summary.filename(facts("dp_1Pgc71").case) == "evidence-summary-stripe-dp_1Pgc71.pdf"
    odd = facts('../x"y z/#1001').case
    assert summary.filename(odd) == "evidence-summary-stripe----x-y-z--1001.pdf"


def test_without_weasyprint_it_says_why(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(summary.SummaryUnavailableError, match="libpango") as raised:
        summary.pdf(packet(), facts())
    assert raised.value.status == 503
