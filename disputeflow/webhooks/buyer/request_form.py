"""The request form for stores whose platform has no return or complaint flow of its own.

Step one proves the order: its number and the e-mail it was placed with, checked against
the store through the marketplace plugin (``find_order``). Step two shows the store's
policy and the buyer's statutory rights, asks what happened, a description and evidence,
and opens a case through the normal flow; the buyer lands on that case's own page. Both
steps are rate-limited in the database (per IP address and per order number) and carry
the form token. Each step asks the store (an outbound call) at most
:data:`OUTBOUND_PER_MINUTE` times a minute per connection, whoever asks: a crowd of
addresses cannot turn the form into a flood against the store's API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, redirect, request

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.marketplace import FoundOrder
from disputeflow.core.taxonomy import Category
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.signed_tokens import Signer
from disputeflow.engine.store import connections
from disputeflow.features.handling.store_policy import store_policy_of
from disputeflow.features.i18n import Formatter, labels
from disputeflow.features.transparency import buyer_input, links, ratelimit
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.buyer import view
from disputeflow.webhooks.buyer.blueprint import bp, reader, render
from disputeflow.webhooks.buyer.case_page import problem_text, uploads_of

PER_IP_PER_HOUR = 20
PER_ORDER_PER_HOUR = 5
ORDER_TOKEN_MINUTES = 60
OUTBOUND_PER_MINUTE = 30  # order look-ups per connection, across every buyer
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def _connection(runtime: Runtime, connection_id: str) -> tuple[Any, int | None]:
    """The connection (404 unless its marketplace can look orders up) and its policy."""
    with runtime.database.session(readonly=True) as session:
        try:
            row = connections.get_row(session, connection_id)
        except NotFoundError:
            abort(404)
        policy = store_policy_of(row)
        connection = runtime.connection(row)
    market = runtime.plugins.marketplaces().get(row.platform)
    if market is None or not market.capabilities.order_lookup:
        abort(404)
    return connection, policy.window_days if policy else None


def _limited(runtime: Runtime, order_number: str | None, connection_id: str) -> None:
    ip = request.remote_addr or "unknown"
    allowed = ratelimit.hit(
        runtime.database, f"request:ip:{ip}", limit=PER_IP_PER_HOUR, window=HOUR
    )
    if order_number:
        key = f"request:order:{connection_id}:{order_number.strip().lower()}"
        allowed = (
            ratelimit.hit(runtime.database, key, limit=PER_ORDER_PER_HOUR, window=HOUR) and allowed
        )
    if not allowed:
        abort(429)


def _find_order(runtime: Runtime, connection: Any, number: str, email: str) -> FoundOrder | None:
    """The store's answer, within the per-connection bound on outbound calls (else 429)."""
    key = f"request:outbound:{connection.id}"
    if not ratelimit.hit(runtime.database, key, limit=OUTBOUND_PER_MINUTE, window=MINUTE):
        abort(429)
    found: FoundOrder | None = runtime.plugins.marketplace(connection.platform).find_order(
        connection, number, email
    )
    return found


def _signer(runtime: Runtime) -> Signer:
    return Signer(runtime.secrets, links.ORDER_PURPOSE)


def _categories(fmt: Formatter) -> list[tuple[str, str]]:
    return [(str(c), fmt.gettext(labels.CATEGORY[str(c)])) for c in buyer_input.REQUEST_CATEGORIES]


def _details(fmt: Formatter, connection_id: str, found: FoundOrder, number: str, email: str,
             store_days: int | None, **extra: Any) -> tuple[str, int]:  # fmt: skip
    runtime = current_runtime()
    expires = utcnow() + timedelta(minutes=ORDER_TOKEN_MINUTES)
    token = _signer(runtime).sign((connection_id, number, email.lower()), expires)
    rights, record = view.rights_lines(fmt, found.buyer.country, store_days)
    return render(
        "buyer/request_details.html", fmt, extra.pop("status", 200),
        connection_id=connection_id, number=number, email=email, order_token=token,
        order_name=found.order.name or number, placed=fmt.day(found.order.placed_at),
        total=fmt.money(found.order.total), rights=rights,
        rights_sources=list(record.sources) if record else [],
        categories=_categories(fmt), errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
    )  # fmt: skip


@bp.route("/request/<connection_id>", methods=["GET", "POST"])
def request_start(connection_id: str) -> Any:
    """Step one: the order number and its e-mail address."""
    runtime = current_runtime()
    connection, store_days = _connection(runtime, connection_id)
    fmt = reader()
    if request.method == "GET":
        return render("buyer/request.html", fmt, connection_id=connection_id, error=None, values={})
    number = request.form.get("order_number", "").strip()[:64]
    email = request.form.get("email", "").strip()[:320]
    _limited(runtime, number, connection_id)
    found = _find_order(runtime, connection, number, email) if number and email else None
    if found is None:
        error = fmt.gettext("We could not find an order with this number and e-mail address.")
        return render("buyer/request.html", fmt, 422, connection_id=connection_id, error=error,
                      values={"order_number": number, "email": email})  # fmt: skip
    return _details(fmt, connection_id, found, number, email, store_days)


@bp.post("/request/<connection_id>/submit")
def request_submit(connection_id: str) -> Any:
    """Step two: what happened, in the buyer's words and files; opens the case."""
    runtime = current_runtime()
    connection, store_days = _connection(runtime, connection_id)
    fmt = reader()
    form = request.form
    number, email = form.get("order_number", ""), form.get("email", "")
    _signer(runtime).check((connection_id, number, email.lower()), form.get("order_token", ""))
    _limited(runtime, None, connection_id)
    found = _find_order(runtime, connection, number, email)
    if found is None:
        abort(403)
    category = form.get("category", "")
    try:
        wanted = Category(category)
        uploads = uploads_of(request.files.getlist("files"))
        case_id = buyer_input.open_request(
            runtime, connection_id, found, wanted, form.get("message", ""), uploads, fmt.lang
        )
    except (InvalidInputError, ValueError) as error:
        problem = (
            problem_text(fmt, error)
            if isinstance(error, InvalidInputError)
            and not {"message", "category"} & set(error.errors)
            else fmt.gettext("Please choose what happened and describe it.")
        )
        return _details(fmt, connection_id, found, number, email, store_days, status=422,
                        errors=[problem], values={"category": category,
                                                  "message": form.get("message", "")})  # fmt: skip
    url, _expires = links.case_link(runtime.secrets, "", case_id)
    return redirect(f"{url}?lang={fmt.lang}", 303)
