"""The running installation: settings, database, secret box and plugin manager, built once.

Every entry point (CLI command, HTTP app, worker) builds one :class:`Runtime` and passes
it down; nothing reads the environment after that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import object_session

from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.errors import ConfigurationError, InvalidInputError
from disputeflow.core.flow import LOCAL_ACTIONS, allowed_actions
from disputeflow.core.marketplace import Connection, Marketplace, SetupState
from disputeflow.core.plugins import PluginManager, get_plugin_manager
from disputeflow.core.taxonomy import ConnectionState, Role
from disputeflow.engine import connection_status, install_links, outbound
from disputeflow.engine.config import Settings
from disputeflow.engine.connection_cache import ConnectionCache
from disputeflow.engine.store import connections, migrate, tokens
from disputeflow.engine.store.credentials import StoredCredentials
from disputeflow.engine.store.db import Database
from disputeflow.engine.store.secrets import SecretBox, load_secret_box
from disputeflow.engine.store.tables import ConnectionRow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a request, a command or a worker needs."""

    settings: Settings
    database: Database
    secrets: SecretBox
    plugins: PluginManager
    # the merchant's rules, as ``disputeflow_load_rules`` loaded them (the built-in
    # handling's ``Rules``); the engine only hands them to the hooks
    rules: Any = None
    # plugin-facing connections, built once per stored version (intake and worker)
    connections: ConnectionCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.database.plugins = self.plugins  # the store calls hooks in its transactions
        self.connections = ConnectionCache(self.connection)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        plugins: PluginManager | None = None,
        rules: Any = None,
        **engine_options: Any,
    ) -> Runtime:
        """Open the database, load the plugins (installed ones unless ``plugins`` given) and
        the rules (through ``disputeflow_load_rules`` unless ``rules`` given: the built-in
        handling reads ``settings.rules_path``; a bad file stops here)."""
        plugins = plugins if plugins is not None else get_plugin_manager()
        if rules is None:
            rules = plugins.hook.disputeflow_load_rules(settings=settings)
        outbound.set_private_allowed(settings.allow_private_urls)
        return cls(
            settings=settings,
            database=Database.from_url(settings.database_url, **engine_options),
            secrets=load_secret_box(settings.home, settings.secret_key),
            plugins=plugins,
            rules=rules,
        )

    def upgrade(self) -> None:
        """Bring the schema to the newest revision."""
        migrate.upgrade(self.database)

    def marketplace_of(self, row: ConnectionRow) -> Marketplace:
        """The marketplace adapter serving a stored connection."""
        return self.plugins.marketplace(row.platform)

    def connection(self, row: ConnectionRow) -> Connection:
        """The plugin-facing connection (secrets decrypted) for a stored row, with the store
        its plugin renews expiring credentials through."""
        url = self.settings.webhook_url(row.platform, row.id)
        connection = connections.to_connection(row, self.secrets, url)
        marketplace = self.plugins.marketplaces().get(row.platform)
        if marketplace is None:  # the plugin is gone: nothing will call the platform
            return connection
        vault = StoredCredentials(self.database, self.secrets, marketplace, row.id)
        return replace(connection, credentials=vault)

    def connection_by_id(self, connection_id: str) -> Connection:
        """The plugin-facing connection of a stored id (``NotFoundError`` if there is none)."""
        with self.database.session(readonly=True) as session:
            return self.connection(connections.get_row(session, connection_id))

    def connections_of(self, platform: str) -> list[Connection]:
        """Every connection of one platform, as its plugin sees them (an install flow
        finding the account it is installing again)."""
        with self.database.session(readonly=True) as session:
            return [
                self.connection(row) for row in connections.list_rows(session, platform=platform)
            ]

    def token_role(self, token: str) -> Role | None:
        """The role of a live API token, or ``None`` (a plugin's own page asking for one)."""
        with self.database.session(readonly=True) as session:
            row = tokens.authenticate(session, token) if token else None
            return Role(row.role) if row is not None else None

    def check_install_link(self, platform: str, account: str, token: str, now: datetime) -> None:
        """Refuse an install link this installation did not sign for ``account`` (or one
        past its expiry) with a ``LinkError``."""
        install_links.check(self.secrets, platform, account, token, now)

    def set_connection_state(
        self, connection_id: str, state: ConnectionState, reason: str | None = None
    ) -> None:
        """Mark a connection active, ``needs_reauth`` or ``uninstalled`` (with why)."""
        with self.database.session() as session:
            connections.set_state(connections.get_row(session, connection_id), state, reason)

    def describe_connection(self, row: ConnectionRow) -> dict[str, Any]:
        """The public JSON form of a connection, secrets left out (only which are set), with
        where its setup stands (``connection_status``)."""
        marketplace = self.plugins.marketplaces().get(row.platform)
        secret_fields = marketplace.secret_fields() if marketplace else frozenset()
        url = self.settings.webhook_url(row.platform, row.id)
        described = connections.describe(row, secret_fields, url)
        for details in self.plugins.hook.disputeflow_connection_details(connection=row):
            described.update(details or {})
        session = object_session(row)
        if session is not None:
            described.update(connection_status.activity(session, row.id))
        if marketplace is not None:  # the plugin may be gone; the connection still lists
            self._describe_setup(marketplace, row, described)
        return described

    def _describe_setup(
        self, marketplace: Marketplace, row: ConnectionRow, described: dict[str, Any]
    ) -> None:
        try:
            connection = self.connection(row)
        except ConfigurationError as error:  # the wrong secret key: still list, and say so
            described["next_step"] = error.message
            return
        hidden = marketplace.secret_fields()
        described["secrets_set"] = sorted(k for k in hidden if connection.settings.get(k))
        install_url = self.reinstall_url(row)
        try:
            state = marketplace.setup_state(connection, self.settings.public_url, install_url)
        except Exception:  # a plugin's bug must not hide the connection
            log.exception("%s: setup_state failed for %s", row.platform, row.id)
            state = SetupState()
        described["authorised"] = state.authorised
        described["next_step"] = connection_status.next_step(described, state)
        if row.state != ConnectionState.ACTIVE or state.authorised is False:
            described["install_url"] = state.install_url or install_url

    def reinstall_url(self, row: ConnectionRow) -> str | None:
        """A fresh signed install link for a connection's account, where its plugin has an
        install flow (the fix for ``needs_reauth`` and ``uninstalled``)."""
        marketplace = self.plugins.marketplaces().get(row.platform)
        if marketplace is None or not marketplace.capabilities.install:
            return None
        account = marketplace.install_account(self.connection(row))
        if not account:
            return None
        url, _ = install_links.install_url(
            self.secrets, self.settings.public_url, marketplace, account
        )
        return url

    def add_connection(
        self, platform: str, name: str, settings: dict[str, Any], *, demo: bool = False
    ) -> dict[str, Any]:
        """Validate ``settings`` with the marketplace's schema, store them, describe the result
        (``demo``: made by ``disputeflow demo``, marked so in every listing)."""
        marketplace = self.plugins.marketplace(platform)
        validated = marketplace.validate_settings(settings)
        outbound.check_settings(validated, allowed=self.settings.allow_private_urls)
        with self.database.session() as session:
            row = connections.create(
                session,
                self.secrets,
                platform=platform,
                name=name,
                settings=validated,
                secret_fields=marketplace.secret_fields(),
                demo=demo,
            )
            return self.describe_connection(row)

    def update_connection_settings(
        self, connection_id: str, changes: dict[str, Any], *, remove: Iterable[str] = ()
    ) -> None:
        """Merge ``changes`` into a connection's settings (an OAuth token just obtained, a
        generated webhook secret) and drop the ``remove`` ones, validated again by its
        marketplace."""
        with self.database.session() as session:
            row = connections.get_row(session, connection_id)
            marketplace = self.marketplace_of(row)
            current = {k: v for k, v in self.connection(row).settings.items() if k not in remove}
            validated = marketplace.validate_settings({**current, **changes})
            outbound.check_settings(validated, allowed=self.settings.allow_private_urls)
            connections.store_settings(row, self.secrets, validated, marketplace.secret_fields())

    def change_connection_settings(
        self, connection_id: str, changes: dict[str, Any], remove: Iterable[str] = ()
    ) -> dict[str, Any]:
        """A merchant's change (``connections update``, ``PATCH``): ``changes`` merged and
        ``remove`` dropped, all checked by the marketplace's schema; the connection and its
        cases stay. Returns the new description (secrets only named)."""
        remove = sorted(set(remove))
        with self.database.session(readonly=True) as session:
            row = connections.get_row(session, connection_id)
            found, marketplace = row.id, self.marketplace_of(row)
        known = sorted(marketplace.settings_schema().fields)
        unknown = [key for key in remove if key not in known]
        if unknown:
            raise InvalidInputError(
                f"not a setting of {marketplace.name}: {', '.join(unknown)} (its settings: "
                f"{', '.join(known)})",
                errors={key: ["unknown setting"] for key in unknown},
            )
        both = [key for key in remove if key in changes]
        if both:
            raise InvalidInputError(f"both set and unset: {', '.join(both)}")
        if not changes and not remove:
            raise InvalidInputError("no settings to change")
        self.update_connection_settings(found, changes, remove=remove)
        with self.database.session(readonly=True) as session:
            return self.describe_connection(connections.get_row(session, found))

    def fill_allowed_actions(self, case: Case) -> Case:
        """Set ``case.allowed_actions`` from its marketplace's capabilities, narrowed to what
        the platform offers on this case (``Marketplace.case_actions``); none if the plugin is
        gone: the case still shows, but nothing can be sent to the platform."""
        marketplace = self.plugins.marketplaces().get(case.platform)
        capabilities = marketplace.capabilities if marketplace else Capabilities()
        allowed = allowed_actions(case, capabilities)
        if marketplace is not None:
            kept = set(marketplace.case_actions(case, list(allowed))) | LOCAL_ACTIONS
            allowed = [action for action in allowed if action in kept]
        case.allowed_actions = allowed
        return case

    def close(self) -> None:
        """Release database connections (and the process's outbound policy)."""
        self.database.dispose()
        outbound.set_private_allowed(None)
