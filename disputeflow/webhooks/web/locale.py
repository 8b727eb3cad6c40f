"""The workspace's language: picked on the page, else the browser's.

The language links in the header add ``?lang=<code>``; that choice is kept in a cookie
(``disputeflow_lang``: a year, HttpOnly, SameSite=Lax, only under ``/workspace``) so every
page after it, and the next sign-in on this browser, keep it. Without one, the browser's
Accept-Language decides; English when it names none of the six languages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import g, has_request_context, request
from werkzeug.wrappers import Response

from disputeflow.features.i18n import LANGUAGES, language_of, negotiate
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web.formatting import ENGLISH, Local

COOKIE = "disputeflow_lang"
YEAR = 365 * 24 * 3600


def _titles() -> dict[str, str]:
    markets = current_runtime().plugins.marketplaces()
    return {name: str(getattr(market, "title", name)) for name, market in markets.items()}


def chosen() -> str:
    """The language of this request: ``?lang=``, the cookie, the browser, English."""
    browser = [tag for tag, _ in request.accept_languages]
    return negotiate([request.args.get("lang"), request.cookies.get(COOKIE), *browser])


def current() -> Local:
    """The reader of the page being written (English outside a request)."""
    if not has_request_context():
        return ENGLISH
    found: Local | None = g.get("workspace_local")
    if found is None:
        found = Local(chosen(), _titles())
        g.workspace_local = found
    return found


def remember(response: Response) -> Response:
    """Keep a language picked on the page."""
    picked = language_of(request.args.get("lang"))
    if picked and picked != request.cookies.get(COOKIE):
        https = current_runtime().settings.public_url.startswith("https:") or request.is_secure
        response.set_cookie(COOKIE, picked, max_age=YEAR, path="/workspace", httponly=True,
                            samesite="Lax", secure=https)  # fmt: skip
    return response


def page_globals() -> dict[str, Any]:
    """What every workspace template gets: the reader and the language links."""
    reader = current()

    def lang_url(code: str) -> str:
        return f"{request.path}?{urlencode({**request.args.to_dict(), 'lang': code})}"

    return {"loc": reader, "languages": LANGUAGES, "lang_url": lang_url}
