"""``params.files``: the one shape every marketplace plugin reads, and the older shapes the
plugins took before (so stored actions keep working)."""

from __future__ import annotations

import base64

import pytest

from disputeflow import EvidenceFile, MarketplaceError, evidence_files, file_param

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
DATA = base64.b64encode(PNG).decode()


def test_the_shape_is_read_and_written_the_same():
    entry = {"filename": "pod.png", "content_type": "image/png", "content_base64": DATA,
             "field": "PROOF_OF_DELIVERY", "item": "delivery"}  # fmt: skip
    (read,) = evidence_files({"files": [entry]})
    assert read == EvidenceFile("pod.png", PNG, "image/png", "PROOF_OF_DELIVERY", "delivery")
    assert file_param(read) == entry
    assert file_param(EvidenceFile("a.pdf", b"%PDF")) == {
        "filename": "a.pdf", "content_base64": "JVBERg=="}  # fmt: skip


@pytest.mark.parametrize(
    "entry",
    [
        # Stripe, Shopify and WooPayments before: {document_type, filename, mimetype, data}
        {"document_type": "shipping_documentation", "filename": "pod.png",
         "mimetype": "image/png", "data": DATA},
        # PayPal and eBay before: {filename, content_type, content_base64, evidence_type}
        {"evidence_type": "shipping_documentation", "filename": "pod.png",
         "content_type": "image/png", "content_base64": DATA},
    ],
)  # fmt: skip
def test_the_older_shapes_are_read(entry):
    (read,) = evidence_files({"files": [entry]})
    assert (read.filename, read.content, read.content_type, read.field) == (
        "pod.png", PNG, "image/png", "shipping_documentation")  # fmt: skip


def test_no_files_is_an_empty_list():
    assert evidence_files({}) == []
    assert evidence_files({"files": None}) == []


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"filename": "a.png"}, "must be a list"),
        (["a.png"], "each file of params.files is an object"),
        ([{"content_base64": DATA}], "needs a filename and its content"),
        ([{"filename": "a.png"}], "needs a filename and its content"),
        ([{"filename": "a.png", "content_base64": "@@"}], "a.png: the file's data is not base64"),
        ([{"filename": "a.png", "content_base64": "===="}], "a.png: the file"),
    ],
)
def test_a_malformed_file_is_refused_naming_it(files, words):
    with pytest.raises(MarketplaceError, match=words) as refused:
        evidence_files({"files": files})
    assert refused.value.transient is False  # never retried: the request must change
