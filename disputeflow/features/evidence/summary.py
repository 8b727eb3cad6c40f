"""The packet's PDF summary: one document the bank's reviewer reads first, listing every
item that goes in with its source and date, the merchant's statement, and the files sent.

Written as HTML (``templates/summary.html``) and printed to PDF by WeasyPrint (docs/evidence.md
says why that library). It is in English, as the evidence it summarises is sent: card
issuers and the platforms' reviewers read English. It never fetches anything (no URL in
it is followed) and holds only the packet and the case's public facts: no settings, no
tokens, no stored file names. It is made when asked (the workspace's download, a
submission), never stored; the copy a submission carries to the platform lives in the
contest action, which an erasure blanks like every file a contest carried.

WeasyPrint needs Pango from the system (README: "System packages"); it is imported when a
summary is made, so the service starts without it and says why a summary cannot be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.evidence import catalogue
from disputeflow.features.evidence.packet import Packet, PacketItem
from disputeflow.features.i18n import Formatter

CONTENT_TYPE = "application/pdf"
TEMPLATE = "summary.html"
ENGLISH = Formatter("en", UTC)


class SummaryUnavailableError(DisputeflowError):
    """The PDF cannot be made here (WeasyPrint or its system libraries are missing)."""

    status = 503
    code = "summary_unavailable"


@dataclass(frozen=True)
class Facts:
    """What the summary says of the case besides the packet (all shown as they are)."""

    case: Case
    store: str
    prepared_at: datetime


def filename(case: Case) -> str:
    """``evidence-summary-<platform>-<external id>.pdf`` (no personal data in the name)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in case.external_id)
    return f"evidence-summary-{case.platform}-{safe[:80]}.pdf"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("disputeflow.features.evidence", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _where(item: PacketItem, platform: catalogue.Platform) -> str:
    """Where the platform receives the item, in the reviewer's words."""
    if item.field == catalogue.PREFILLED:
        return f"filled in by {platform.title} from its own records"
    if item.field:
        return f"sent in {platform.title}'s field {item.field}"
    return f"sent in {platform.title}'s {platform.free_text or 'free text'}"


def _entries(packet: Packet, platform: catalogue.Platform) -> list[dict[str, Any]]:
    return [
        {"title": item.title, "text": item.text.strip(), "source": item.source,
         "as_of": ENGLISH.day(item.as_of) if item.as_of else None,
         "where": _where(item, platform)}
        for item in packet.present()
        if item.text.strip() and not (item.file_id or item.content)
    ]  # fmt: skip


def _documents(packet: Packet) -> list[dict[str, str]]:
    return [
        {"title": item.title, "filename": item.filename or f"{item.name}.pdf",
         "source": item.source}
        for item in packet.present()
        if item.file_id or item.content
    ]  # fmt: skip


def html(packet: Packet, facts: Facts) -> str:
    """The summary as an HTML page (what the PDF prints)."""
    case, platform = facts.case, catalogue.platform(packet.platform)
    return _environment().get_template(TEMPLATE).render(
        case=case, store=facts.store, platform=platform, packet=packet,
        kind=str(case.kind).replace("_", " "),
        category=str(case.category).replace("_", " "),
        amount=ENGLISH.money(case.amount) if case.amount else None,
        opened=ENGLISH.day(case.opened_at), due=ENGLISH.time(case.due_at) if case.due_at else None,
        prepared=ENGLISH.time(facts.prepared_at),
        entries=_entries(packet, platform), documents=_documents(packet),
    )  # fmt: skip


def pdf(packet: Packet, facts: Facts) -> bytes:
    """The summary as PDF bytes (:class:`SummaryUnavailableError` where WeasyPrint or Pango
    is missing)."""
    try:
        from weasyprint import HTML  # Pango is loaded here: only when a summary is made
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:
        raise SummaryUnavailableError(
            f"the PDF summary needs WeasyPrint and Pango (README, System packages): {error}"
        ) from error

    class NoFetching(URLFetcher):  # type: ignore[misc]
        """Nothing the page names is fetched: no network, no local file."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"the evidence summary fetches nothing ({url[:40]})")

    document = HTML(string=html(packet, facts), url_fetcher=NoFetching())
    data: bytes = document.write_pdf()
    return data


def facts_of(runtime: Runtime, case_id: str) -> Facts:
    """The case and its store's name, read now (NotFoundError for an unknown case)."""
    with runtime.database.session(readonly=True) as session:
        case = cases.get(session, case_id)
        row = session.get(ConnectionRow, case.connection_id)
        store = row.name if row is not None else case.connection_id
    return Facts(case, store, utcnow())
