"""``/api/v1/rights``: a buyer's statutory return rights by country (viewer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from disputeflow.core.taxonomy import Role
from disputeflow.features.handling.policies import connection_store_policy, rights_report
from disputeflow.webhooks.api import rights_schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_runtime

blp = ApiBlueprint(
    "rights",
    __name__,
    url_prefix="/api/v1/rights",
    description="Buyers' statutory rights by country, with their legal sources. Viewer reads.",
    read=Role.VIEWER,
    write=Role.ADMIN,
)


@blp.route("")
class Rights(MethodView):
    @blp.arguments(rights_schemas.RightsArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, rights_schemas.RightsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """A buyer's statutory rights

        The withdrawal (change-of-mind) period, refund deadline, who pays return shipping
        and the exceptions in the buyer's ``country``, each with its legal source; with
        ``connection_id``, the store's own policy and the effective window (the longer of
        the two), and ``below_statutory`` when the store's policy is shorter than the law's.
        404 for a country the data does not cover.
        """
        store, connection_id = None, args.get("connection_id")
        if connection_id is not None:
            connection_id, store = connection_store_policy(current_runtime(), connection_id)
        return rights_report(args["country"], store=store, connection_id=connection_id)
