"""Signed buyer links (refused when altered, expired or used for another case) and the
expected resolution (history, widening, defaults, the statutory cap)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from disputeflow import Deadline, Party
from disputeflow.core.clock import utcnow
from disputeflow.features.transparency import expected, links
from tests.core.transparency.conftest import a_return

NOW = utcnow()


def test_a_link_is_for_one_case_until_it_expires(runtime):
    box = runtime.secrets
    url, expires_at = links.case_link(box, "https://df.example", "case_1", days=30, now=NOW)
    token = url.rsplit("/", 1)[1]
    assert url.startswith("https://df.example/buyer/cases/case_1/")
    assert links.check_case_token(box, "case_1", token, NOW) == expires_at
    with pytest.raises(links.LinkError):
        links.check_case_token(box, "case_2", token, NOW)  # another case's id
    stamp, mac = token.split(".")
    other_tail = "BB" if mac.endswith("AA") else "AA"  # always a different signature
    for altered in (
        f"{int(stamp) + 86400}.{mac}",
        f"{stamp}.{mac[:-2]}{other_tail}",
        "garbage",
        "",
    ):
        with pytest.raises(links.LinkError):
            links.check_case_token(box, "case_1", altered, NOW)
    with pytest.raises(links.LinkExpiredError):
        links.check_case_token(box, "case_1", token, expires_at + timedelta(seconds=1))
    assert len(mac) == 43, "the full 256-bit HMAC: not guessable"


def test_links_are_sealed_with_this_installations_key(runtime):
    from disputeflow.engine.store.secrets import SecretBox

    token = links.case_token(runtime.secrets, "case_1", NOW + timedelta(days=1))
    with pytest.raises(links.LinkError):
        links.check_case_token(SecretBox(["another installation"]), "case_1", token, NOW)


def resolved(add, external_id, days, **fields):
    """A case resolved ``days`` after it opened (both in the past)."""
    opened = utcnow() - timedelta(days=40)
    found = a_return(external_id, observed_at=opened, opened_at=opened, **fields)
    add(found)
    add(replace(found, observed_at=opened + timedelta(days=days), status="resolved",
                outcome="buyer_favor"))  # fmt: skip


def estimate_of(runtime, case):
    with runtime.database.session() as session:
        return expected.estimate(session, case)


def test_without_history_the_kind_default_applies(runtime, add):
    case = add(a_return("new")).case
    found = estimate_of(runtime, case)
    assert (found.basis, found.sample_size) == ("default:return", 0)
    assert found.median_days == 14
    assert found.p90_days == 30
    assert found.expected_at == case.opened_at + timedelta(days=14)


def test_history_of_the_same_platform_kind_and_category_wins(runtime, add):
    for n, days in enumerate((2, 4, 6, 8, 10, 30)):
        resolved(add, f"h{n}", days)
    resolved(add, "other", 1, category="not_received")
    case = add(a_return("new", buyer=Party(country="US"))).case  # no statutory refund cap
    found = estimate_of(runtime, case)
    assert found.basis == "history:platform,kind,category"
    assert found.sample_size == 6
    assert found.median_days == pytest.approx(7.0)
    assert found.p90_days == pytest.approx(30.0)
    assert found.latest_at == case.opened_at + timedelta(days=30)


def test_thin_history_widens_the_group(runtime, add):
    for n, days in enumerate((3, 3, 5, 5, 5)):
        resolved(add, f"w{n}", days, category="not_received" if n % 2 else "wrong_item")
    found = estimate_of(runtime, add(a_return("new")).case)
    assert (found.basis, found.sample_size, found.median_days) == ("history:platform,kind", 5, 5)


def test_a_case_open_longer_than_usual_is_not_promised_the_past(runtime, add):
    for n, days in enumerate((2, 3, 4, 5, 20)):
        resolved(add, f"l{n}", days)
    old = utcnow() - timedelta(days=10)
    case = add(a_return("late", observed_at=old, opened_at=old)).case
    found = estimate_of(runtime, case)
    assert found.median_days == 20  # only the cases that took at least 10 days
    assert found.expected_at >= utcnow() - timedelta(seconds=5)


def test_the_statutory_refund_deadline_caps_the_estimate(runtime, add):
    case = add(a_return("cap", buyer=Party(country="DE"))).case
    law = Deadline("statutory_refund", utcnow() + timedelta(days=5), "disputeflow:statutory:DE")
    found = estimate_of(runtime, replace(case, deadlines=[law]))
    assert found.latest_at == law.due_at
    assert found.capped_by == law.source
    assert found.expected_at <= law.due_at


def test_a_resolved_case_expects_nothing(runtime, add):
    opened = a_return("done")
    add(opened)
    case = add(replace(opened, observed_at=utcnow(), status="resolved")).case
    assert estimate_of(runtime, case) is None
