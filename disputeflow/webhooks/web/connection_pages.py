"""The workspace's connections: each store's state (active, needs_reauth, uninstalled) with
the link that fixes it, its setup as ``connections show`` tells it (authorised, secrets set,
webhooks verified, last sync and error, the next step), and, for admins, installing a store
(a signed install link: the only way besides the platform's own signed request to start an
install)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from disputeflow.core.errors import DisputeflowError, NotFoundError
from disputeflow.core.taxonomy import Role
from disputeflow.engine import install_links
from disputeflow.engine.store import connections as store
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web.auth import signed_in
from disputeflow.webhooks.web.blueprint import bp
from disputeflow.webhooks.web.connection_setup import setup
from disputeflow.webhooks.web.locale import current


def _installable() -> list[str]:
    markets = current_runtime().plugins.marketplaces()
    return sorted(name for name, market in markets.items() if market.capabilities.install)


@bp.get("/connections")
@signed_in()
def connections() -> Any:
    """Every connection with its state; a banner for those waiting for the merchant."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        items = [runtime.describe_connection(row) for row in store.list_rows(session)]
    return render_template(
        "workspace/connections.html", items=items, installable=_installable(), link=None
    )


@bp.get("/connections/<connection_id>")
@signed_in()
def connection(connection_id: str) -> Any:
    """One connection: state, why, the install link that fixes or authorises it, the
    secrets set or not, webhooks, last delivery, sync and error, and the next step."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        try:
            row = store.get_row(session, connection_id)
        except NotFoundError:
            _ = current().gettext
            return render_template("workspace/error.html", status=404, title=_("Not found"),
                                   message=_("There is no connection %(id)s.", id=connection_id)
                                   ), 404  # fmt: skip
        item = runtime.describe_connection(row)
    return render_template(
        "workspace/connection.html",
        item=item,
        setup=setup(item),
        installed=request.args.get("installed") == "1",
    )


@bp.post("/connections/install")
@signed_in(Role.ADMIN)
def install() -> Any:
    """A signed install link for the store named in the form, shown as a link to follow
    (a redirect from a form to the platform would be stopped by the page's CSP)."""
    runtime = current_runtime()
    platform = (request.form.get("platform") or "").strip()
    account = (request.form.get("account") or "").strip().lower()
    error, link = None, None
    try:
        if platform not in _installable():
            raise NotFoundError(
                current().gettext("This marketplace cannot be installed from here.")
            )
        market = runtime.plugins.marketplace(platform)
        link, _ = install_links.install_url(
            runtime.secrets, runtime.settings.public_url, market, account
        )
    except NotFoundError as problem:
        error = problem.message
    except DisputeflowError as problem:
        error = current().gettext(
            "This store cannot be installed: %(reason)s", reason=problem.message
        )
    with runtime.database.session(readonly=True) as session:
        items = [runtime.describe_connection(row) for row in store.list_rows(session)]
    return render_template(
        "workspace/connections.html",
        items=items,
        installable=_installable(),
        link=link,
        error=error,
        account=account,
    ), (422 if error else 200)


__all__ = ["connection", "connections", "install"]
