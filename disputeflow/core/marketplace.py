"""The contract a marketplace plugin fulfils: :class:`Marketplace` and the values it trades.

A plugin translates; the core decides. Everything here is pure data in, data out, except
the methods that talk to the platform (actions, polling, policies, webhook registration),
which use ``requests`` against ``settings["api_base_url"]`` so tests can point them at a
local fake.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, validate
from marshmallow import ValidationError as SchemaValidationError

from disputeflow.core.actions import ActionRequest, ActionResult
from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.credentials import CredentialStore
from disputeflow.core.effects import Translation
from disputeflow.core.errors import InvalidInputError, PluginError, UnsupportedError
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType, ConnectionState
from disputeflow.core.values import Order, Party

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Connection:
    """One merchant account on one marketplace, with its validated (decrypted) settings."""

    id: str
    platform: str
    name: str
    settings: Mapping[str, Any]
    created_at: datetime
    webhook_url: str | None = None
    state: str = ConnectionState.ACTIVE
    # Where renewed credentials are stored (None outside the service, e.g. in unit tests).
    credentials: CredentialStore | None = field(default=None, compare=False, repr=False)
    demo: bool = False  # made by ``disputeflow demo``: never call the platform for it


@dataclass(frozen=True)
class InboundRequest:
    """An HTTP request from a platform, as raw as it came: body bytes are never re-serialised."""

    method: str
    headers: Mapping[str, str]
    body: bytes = b""
    query: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class VerifiedDelivery:
    """A delivery whose signature checked out: its dedup key, topic and the headers to keep."""

    dedup_key: str
    topic: str
    headers: Mapping[str, str] = field(default_factory=dict)
    occurred_at: datetime | None = None
    ack_status: int = 200  # what the platform expects on success (eBay: 204)


@dataclass(frozen=True)
class AppDelivery:
    """A delivery to the app's one URL, verified with the app's secret and routed to the
    connection of the account it names; ``connection`` is ``None`` when the app signed it
    for an account with no connection here (acknowledged, nothing to do)."""

    verified: VerifiedDelivery
    account: str
    connection: Connection | None = None


@dataclass(frozen=True)
class StoredDelivery:
    """A delivery as the store keeps it, handed back to the plugin for translation."""

    id: str
    connection_id: str
    platform: str
    topic: str
    dedup_key: str
    headers: Mapping[str, str]
    body: bytes
    received_at: datetime


@dataclass(frozen=True)
class ChallengeResponse:
    """The answer to a platform's endpoint check (for example eBay's ``challenge_code``)."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    webhook_verified: bool = False  # the platform proved it reaches the connection's URL


@dataclass(frozen=True)
class SyncPage:
    """One page of changed platform objects; ``cursor`` resumes after this page (``None``
    keeps the cursor saved before it: a plugin never resets a sync by accident)."""

    snapshots: list[CaseSnapshot]
    cursor: str | None


@dataclass(frozen=True)
class SampleDelivery:
    """A delivery signed as the platform would sign it, for tests and ``disputeflow demo``."""

    name: str
    request: InboundRequest


@dataclass(frozen=True)
class SetupState:
    """A connection's setup as its plugin sees it: API access authorised (``None``: nothing
    to authorise), the next step in full, and the URL that authorises it, if any."""

    authorised: bool | None = None
    next_step: str | None = None
    install_url: str | None = None


@dataclass(frozen=True)
class ReturnPolicy:
    """The store's own return policy as the platform states it."""

    window_days: int | None
    source: str
    buyer_pays_return_shipping: bool | None = None
    restocking_fee_percent: int | None = None
    text: str = ""


@dataclass(frozen=True)
class FoundOrder:
    """An order a buyer proved they placed (number and e-mail matched), as the store has it."""

    order: Order
    buyer: Party
    delivered_at: datetime | None = None


class BaseSettingsSchema(Schema):
    """Settings every marketplace accepts; plugins subclass it and add their own fields.

    Mark a field secret with ``metadata={"secret": True}``: it is encrypted at rest,
    write-only in the API, and masked in the CLI.
    """

    class Meta:
        unknown = RAISE

    api_base_url = fields.Url(
        require_tld=False,
        metadata={"description": "Override the platform's API host (sandbox, proxy, tests)."},
    )
    return_window_days = fields.Integer(
        validate=validate.Range(min=0, max=3650),
        metadata={
            "description": "The store's return window in days, where the marketplace states "
            "none; each buyer still gets at least their country's statutory period."
        },
    )


class Marketplace(ABC):
    """A marketplace adapter: subclass it, then return an instance from
    ``disputeflow_register_marketplaces``.

    Required: :attr:`name`, :attr:`title`, :attr:`capabilities`, :attr:`settings_schema`,
    :meth:`example_settings`, :meth:`verify_delivery`, :meth:`translate_delivery` and
    :meth:`sample_deliveries`. The rest are optional and must match :attr:`capabilities`:
    a method whose capability is declared must be overridden, the others raise
    :class:`~disputeflow.core.errors.UnsupportedError`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    settings_schema: ClassVar[type[BaseSettingsSchema]] = BaseSettingsSchema

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is not None and not (isinstance(name, str) and NAME_PATTERN.match(name)):
            raise PluginError(
                f"marketplace name {name!r} must match {NAME_PATTERN.pattern}", plugin=name
            )

    # -- settings -------------------------------------------------------------------

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        """Names of settings marked ``metadata={"secret": True}``."""
        declared = cls.settings_schema().fields
        return frozenset(n for n, f in declared.items() if f.metadata.get("secret"))

    def validate_settings(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Load ``data`` through :attr:`settings_schema`; errors name each bad field."""
        try:
            loaded: dict[str, Any] = self.settings_schema().load(dict(data))
        except SchemaValidationError as error:
            raise InvalidInputError(
                f"invalid {self.name} settings: {_flatten(error.messages)}",
                errors={"settings": error.messages},
            ) from None
        return loaded

    @abstractmethod
    def example_settings(self) -> dict[str, Any]:
        """Settings that validate, used by the demo and the conformance suite."""

    # -- inbound --------------------------------------------------------------------

    @abstractmethod
    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        """Check signature and origin of a webhook delivery in constant time.

        Raise :class:`~disputeflow.core.errors.SignatureError` when it fails.
        """

    @abstractmethod
    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        """Turn a stored delivery into snapshots and effects (see :mod:`disputeflow.core.effects`:
        order refunds, erasures, data requests); an empty list means "nothing for cases"."""

    def answer_ping(
        self, connection: Connection, request: InboundRequest
    ) -> ChallengeResponse | None:
        """Answer an unsigned ``POST`` the platform sends to test the URL (WooCommerce's
        ``webhook_id=N`` ping), before verification; ``None`` for a normal delivery.

        Nothing is stored for a ping; set ``webhook_verified`` to record that the platform
        reached the connection's URL.
        """
        return None

    def answer_challenge(
        self, connection: Connection, request: InboundRequest
    ) -> ChallengeResponse | None:
        """Answer a ``GET`` endpoint check on the webhook URL, or ``None`` for 404."""
        return None

    def verify_app_delivery(
        self, request: InboundRequest, connections: Sequence[Connection]
    ) -> AppDelivery:
        """Check a delivery the platform sends once per app rather than per connection
        (Shopify's compliance topics: ``/webhooks/{name}/app``), or one that reached another
        connection's URL, and route it among ``connections`` (capability ``app_webhooks``).

        Raise :class:`~disputeflow.core.errors.SignatureError` when no connection's secret
        signs it.
        """
        raise UnsupportedError(f"{self.name} has no app-level webhook URL")

    def install_path(self, account: str, link: str) -> str:
        """The path below the public URL where the merchant of ``account`` installs the app,
        carrying ``link``, a signed install token (capability ``install``)."""
        raise UnsupportedError(f"{self.name} has no install flow")

    def install_account(self, connection: Connection) -> str | None:
        """The account a connection was installed for (Shopify: its shop), to install again."""
        return None

    def setup_state(
        self, connection: Connection, public_url: str, install_url: str | None
    ) -> SetupState:
        """Whether API access is authorised, and the merchant's next step in full: the URL to
        open, what to paste where (``install_url``: a fresh signed install link, capability
        ``install``). The default knows neither; the service then names the webhook URL."""
        return SetupState()

    @abstractmethod
    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        """Deliveries signed with ``connection``'s secret, as the platform would send them."""

    # -- outbound (optional, per capability) ------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        """Yield pages of objects changed since ``cursor`` (capability ``polling``)."""
        raise UnsupportedError(f"{self.name} does not support polling")

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        """Carry out ``action`` on the platform, passing ``action.idempotency_key`` along.

        Raise :class:`~disputeflow.core.errors.MarketplaceError` (``transient=True`` for
        timeouts, 429 and 5xx) on failure.
        """
        raise UnsupportedError(f"{self.name} cannot {action.type} on {case.kind} cases")

    def case_actions(self, case: Case, actions: Sequence[ActionType]) -> Sequence[ActionType]:
        """Of ``actions`` (what the case's kind and status and :attr:`capabilities` allow),
        the ones the platform lets the merchant take on this case now, as the case's last
        snapshot says (PayPal's per-dispute links). Read the case only, never the network;
        the default keeps them all, and an answer can only narrow them."""
        return actions

    def return_policy(self, connection: Connection) -> ReturnPolicy | None:
        """The store's return policy (capability ``return_policy``)."""
        raise UnsupportedError(f"{self.name} does not expose a return policy")

    def register_webhooks(self, connection: Connection) -> list[str]:
        """Subscribe the platform to ``connection.webhook_url``; return the topics subscribed."""
        raise UnsupportedError(f"{self.name} cannot register webhooks")

    def find_order(
        self, connection: Connection, order_number: str, email: str
    ) -> FoundOrder | None:
        """The order numbered ``order_number`` if its e-mail is ``email`` (compared without
        case), else ``None`` (capability ``order_lookup``: the buyer request form uses it
        where the platform has no return or complaint flow of its own)."""
        raise UnsupportedError(f"{self.name} cannot look orders up")

    def send_buyer_message(
        self, connection: Connection, case: Case, message: str, idempotency_key: str
    ) -> str | None:
        """Send the buyer ``message`` through the platform's own channel (a customer note, a
        marketplace message) and return its id (capability ``buyer_messages``). Raise
        :class:`~disputeflow.core.errors.UnsupportedError` for a case this channel cannot
        reach (the notice then goes by e-mail), ``MarketplaceError`` when it fails."""
        raise UnsupportedError(f"{self.name} has no channel to the buyer")


def _flatten(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        return "; ".join(_flatten(v, f"{prefix}{k}: ") for k, v in messages.items())
    if isinstance(messages, list):
        return prefix + ", ".join(str(m) for m in messages)
    return f"{prefix}{messages}"
