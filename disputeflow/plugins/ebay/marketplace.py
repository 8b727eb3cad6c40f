"""EbayMarketplace: the adapter the core talks to, wiring eBay's pieces together.

It holds what must outlive one call, in memory: OAuth access tokens and eBay's public
notification keys (an hour each), unknown key ids (ten minutes), signing keys it had to
create, and the objects unsigned platform notifications marked for the next poll.
``clock`` and ``sleep`` are injectable, so tests move time and never wait.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    Capabilities,
    Case,
    CaseSnapshot,
    ChallengeResponse,
    Connection,
    InboundRequest,
    Marketplace,
    MarketplaceError,
    ReturnPolicy,
    SampleDelivery,
    SetupState,
    StoredDelivery,
    SyncPage,
    UnsupportedError,
    VerifiedDelivery,
)
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import Translation
from disputeflow.plugins.ebay import setup, soap, webhooks
from disputeflow.plugins.ebay.actions import PostOrderActions
from disputeflow.plugins.ebay.api import EbayApi
from disputeflow.plugins.ebay.dispute_actions import DisputeActions
from disputeflow.plugins.ebay.errors import KeyServiceError, SignatureMismatch
from disputeflow.plugins.ebay.oauth import TokenStore
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.policy import read_policy
from disputeflow.plugins.ebay.samples import sample_deliveries
from disputeflow.plugins.ebay.settings import EXAMPLE_SETTINGS, EbaySettingsSchema, Hosts
from disputeflow.plugins.ebay.signatures import (
    SAMPLE_KID,
    KeyCache,
    PublicKey,
    load_public_key,
    sample_private_key,
)
from disputeflow.plugins.ebay.signing import SigningKeys
from disputeflow.plugins.ebay.sync import Poller
from disputeflow.plugins.ebay.triggers import PollMarks, Target

BUYER_MESSAGE_OBJECTS = ("return", "inquiry")


class EbayMarketplace(Marketplace):
    """eBay: returns, item-not-received inquiries, cases and payment disputes."""

    name = "ebay"
    title = "eBay"
    capabilities = Capabilities.build(
        {
            "return": ["approve_return", "decline_return", "refund", "send_message"],
            "inquiry": ["accept", "contest", "refund", "send_message"],
            "claim": ["accept", "refund"],  # no seller answer on a case; appeals follow eBay
            "chargeback": ["accept", "contest"],
        },
        webhooks=True,
        polling=True,
        return_policy=True,
        partial_refunds=True,  # returns and cases (issueRefund); inquiries in full (checked)
        buyer_messages=True,  # returns and inquiries: the Post-Order send_message
    )
    settings_schema = EbaySettingsSchema

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.tokens = TokenStore(clock)
        self.keys = KeyCache(clock)
        self.signing = SigningKeys()
        self.marks = PollMarks(clock)

    def example_settings(self) -> dict[str, Any]:
        return dict(EXAMPLE_SETTINGS)

    def api(self, connection: Connection) -> EbayApi:
        """The eBay APIs for ``connection``, sharing this adapter's token cache."""
        return EbayApi(connection, self.tokens, clock=self.clock, sleep=self.sleep,
                       signing=self.signing)  # fmt: skip

    # -- inbound ------------------------------------------------------------------------

    def answer_challenge(
        self, connection: Connection, request: InboundRequest
    ) -> ChallengeResponse | None:
        return webhooks.answer_challenge(connection, request)

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return webhooks.verify_delivery(connection, request, self.public_key)

    def public_key(self, connection: Connection, kid: str) -> PublicKey:
        """eBay's key ``kid`` (cached an hour), or the connection's own sample key."""
        settings = connection.settings
        if kid == SAMPLE_KID:
            if not settings.get("accept_sample_signatures"):
                raise SignatureMismatch("this connection does not accept sample signatures")
            private = sample_private_key(settings["client_id"], settings["client_secret"])
            return PublicKey(private.public_key(), "SHA1")
        scope = Hosts.of(settings).api
        return self.keys.get(
            scope, kid, lambda: self._fetch_key(connection, kid), budget=connection.id
        )

    def _fetch_key(self, connection: Connection, kid: str) -> PublicKey:
        try:
            with self.api(connection) as api:
                answer = api.public_key(kid)
        except MarketplaceError as error:
            if error.platform_status == 404:
                raise SignatureMismatch(f"eBay has no public key {kid!r}") from None
            raise KeyServiceError(
                f"eBay's public key {kid!r} is out of reach: {error.message}", transient=True
            ) from None
        return load_public_key(answer)

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        with self.api(connection) as api:

            def fetch_one(object_type: str, object_id: str) -> CaseSnapshot:
                return fetch(api, object_type, object_id)[1]

            if not soap.looks_like_xml(delivery.body):
                return webhooks.translate_delivery(delivery, fetch_one)
            note = soap.parse(delivery.body)
            case_type = note.first("CaseType") or ""
            if soap.check_signature(note, connection.settings):
                return webhooks.fetch_targets(note.targets(), fetch_one, case_type=case_type)
            self.marks.mark(connection.id, note.targets())  # unchecked: never a read per request
            extra = self.marks.extra_poll(connection.id)
            try:
                return webhooks.fetch_targets(extra, fetch_one, case_type=case_type,
                                              skip_missing=True)  # fmt: skip
            except MarketplaceError:
                self.marks.mark(connection.id, extra)  # the next poll reads them
                raise

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        return sample_deliveries(connection)

    def setup_state(
        self, connection: Connection, public_url: str, install_url: str | None
    ) -> SetupState:
        return setup.setup_state(connection, public_url)

    # -- outbound -----------------------------------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        with self.api(connection) as api:
            marked = self.marks.take(connection.id)
            if marked:
                try:
                    snapshots = self._read_marked(api, marked)
                except MarketplaceError:
                    self.marks.mark(connection.id, marked)  # kept for the next poll
                    raise
                yield SyncPage(snapshots, None)
            yield from Poller(api, self.clock).pages(cursor)

    @staticmethod
    def _read_marked(api: EbayApi, marked: list[Target]) -> list[CaseSnapshot]:
        found = webhooks.fetch_targets(
            marked, lambda kind, key: fetch(api, kind, key)[1], skip_missing=True
        )
        return [snapshot for snapshot in found if isinstance(snapshot, CaseSnapshot)]

    def return_policy(self, connection: Connection) -> ReturnPolicy | None:
        with self.api(connection) as api:
            return read_policy(api)

    def send_buyer_message(
        self, connection: Connection, case: Case, message: str, idempotency_key: str
    ) -> str | None:
        """The Post-Order ``send_message`` of a return or an inquiry (eBay keeps buyers'
        addresses to itself: its messages are how a seller reaches them)."""
        if case.object_type not in BUYER_MESSAGE_OBJECTS:
            raise UnsupportedError(f"eBay has no message to the buyer of a {case.object_type}")
        with self.api(connection) as api:
            PostOrderActions(api).message(case, message)
        return None

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        with self.api(connection) as api:
            if case.object_type == "payment_dispute":
                return DisputeActions(api).perform(case, action)
            return PostOrderActions(api).perform(case, action)
