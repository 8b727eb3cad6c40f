"""Where an eBay connection's setup stands, and the merchant's next step in full
(docs/platforms/ebay.md, "Install into an existing seller account" and "The
account-deletion endpoint")."""

from __future__ import annotations

from disputeflow import Connection, SetupState


def setup_state(connection: Connection, public_url: str) -> SetupState:
    """Authorised: a refresh token from the seller's consent. Then eBay must reach the
    account-deletion endpoint (its check is recorded as ``webhook_verified_at``)."""
    settings = connection.settings
    base = public_url.rstrip("/")
    consent = f"{base}/install/ebay/{connection.id}"
    update = f"`disputeflow connections update {connection.id}"
    if not settings.get("refresh_token"):
        ru_name = f"add the app's RuName: {update} --set ru_name=...`; "
        ru_name = "" if settings.get("ru_name") else ru_name
        return SetupState(
            authorised=False,
            install_url=consent,
            next_step=(
                f"authorise API access: {ru_name}in eBay's developer portal set the RuName's "
                f"accept URL to {base}/install/ebay/callback; then the seller opens {consent} "
                "and signs in to eBay"
            ),
        )
    endpoint = settings.get("endpoint_url") or connection.webhook_url
    token = (
        ""
        if settings.get("verification_token")
        else f" (set it first: {update} --set verification_token=...`, 32 to 80 of A-Z a-z 0-9 _ -)"
    )
    return SetupState(
        authorised=True,
        install_url=consent,
        next_step=(
            "register the account-deletion endpoint in eBay's developer portal (Alerts & "
            f"Notifications): endpoint {endpoint}, verification token: this connection's "
            f"verification_token{token}"
        ),
    )
