"""``/api/v1/cases/{id}/evidence``: a case's evidence packet (viewer reads; an agent edits,
adds files, saves a draft on the platform and submits)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from disputeflow.core.taxonomy import Role
from disputeflow.features.evidence import edits
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.submit import submit
from disputeflow.webhooks.api import evidence_schemas, schemas
from disputeflow.webhooks.api.auth import ApiBlueprint, current_caller, current_runtime

blp = ApiBlueprint(
    "evidence",
    __name__,
    url_prefix="/api/v1/cases",
    description="A case's evidence packet: assembled from the platform and what disputeflow "
    "holds. Viewer reads; agent edits, saves drafts and submits.",
    read=Role.VIEWER,
    write=Role.AGENT,
)


def _change(body: dict[str, Any]) -> edits.Change:
    uploads = [
        edits.FileUpload(f["item"], f["filename"], edits.decode(f["data"], f["filename"]))
        for f in body.get("files") or ()
    ]
    return edits.Change(
        items=body.get("items") or {},
        excluded=body.get("excluded"),
        statement=body.get("statement"),
        files=uploads,
        remove_files=body.get("remove_files") or (),
    )


@blp.route("/<case_id>/evidence")
class CaseEvidence(MethodView):
    @blp.response(200, evidence_schemas.PacketSchema)
    def get(self, case_id: str) -> dict[str, Any]:
        """A case's evidence packet

        Assembled now: the platform's own records (through its plugin), the messages on
        the case, refunds already made (linked cases included), the store's refund policy
        with the date it was read, the buyer's statutory rights applied, and the agent's
        edits and files. ``missing`` lists what the category still calls for and why;
        ``complete`` is true when every required item is present.
        """
        return assemble(current_runtime(), case_id).to_dict()

    @blp.arguments(evidence_schemas.PacketChangeSchema)
    @blp.response(200, evidence_schemas.PacketSchema)
    def put(self, body: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Edit a case's evidence packet

        Texts per catalogue item (``null`` drops the agent's text), items left out, the
        statement, files to add (base64; photos or PDF, 5 MB each) or remove. An unknown
        item stores nothing (422). Answers the packet.
        """
        runtime = current_runtime()
        edits.apply(runtime, case_id, _change(body), by=current_caller().name)
        return assemble(runtime, case_id).to_dict()


@blp.route("/<case_id>/evidence/submit")
class CaseEvidenceSubmit(MethodView):
    @blp.arguments(schemas.IdempotencyHeaderSchema, location="headers")
    @blp.arguments(evidence_schemas.SubmitSchema)
    @blp.response(202, evidence_schemas.SubmittedSchema, description="Queued for the platform.")
    @blp.alt_response(
        200, schema=evidence_schemas.SubmittedSchema, description="The same packet again."
    )
    def post(
        self, headers: dict[str, Any], body: dict[str, Any], case_id: str
    ) -> tuple[dict[str, Any], int]:
        """Submit (or save as a draft) a case's evidence packet

        Queued as a ``contest`` action (audit trail, retries): each item that fills one of
        the platform's evidence fields goes there, the rest into its free text, files
        as the platform takes them, and the packet's PDF summary into its free file field
        when the agent's files leave it free (``params.evidence_summary`` names it).
        ``{"draft": true}`` saves it on the platform without submitting, where the platform
        keeps drafts (409 where it does not). A file or a free text the platform cannot take
        is a 422 before anything is queued. The same packet (or ``Idempotency-Key``)
        answers the first action with 200.
        """
        action, created, packet = submit(
            current_runtime(),
            case_id,
            draft=body["draft"],
            by=current_caller().name,
            idempotency_key=headers.get("idempotency_key"),
        )
        return {"action": action, "packet": packet.to_dict()}, 202 if created else 200
