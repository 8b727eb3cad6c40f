"""The packet page's form: read it into a change of the packet (what an agent wrote, left out,
added or removed), and say what is wrong next to the field it is about.

Each item's text comes with the text the page showed (``shown-<item>``): only a text the
agent changed is stored as theirs, so what the platform says keeps flowing in for the rest.
Line breaks are compared as text (browsers send CRLF).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from disputeflow.core.errors import DisputeflowError
from disputeflow.features.evidence import edits
from disputeflow.features.transparency import files
from disputeflow.webhooks.web.forms import FormError
from disputeflow.webhooks.web.locale import current
from disputeflow.webhooks.web.words import N_

ACTIONS = ("save", "draft", "submit")  # the form's buttons (``then``)


def _(message: str, /, **values: object) -> str:
    return current().gettext(message, **values)


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _long(name: str, text: str) -> dict[str, list[str]]:
    if len(text) > edits.TEXT_LIMIT:
        return {
            name: [_("At most %(limit)s characters.", limit=current().number(edits.TEXT_LIMIT))]
        }
    return {}


def _texts(form: MultiDict[str, str], errors: dict[str, list[str]]) -> dict[str, str | None]:
    """The texts the agent changed (``None``: back to what was found)."""
    changed: dict[str, str | None] = {}
    reverted = set(form.getlist("revert"))
    for name in form.getlist("item"):
        text = _clean(form.get(f"text-{name}"))
        errors.update(_long(f"text-{name}", text))
        if name in reverted:
            changed[name] = None
        elif text != _clean(form.get(f"shown-{name}")):
            changed[name] = text or None
    added, text = (form.get("add_item") or "").strip(), _clean(form.get("add_text"))
    if added and not text:
        errors["add_text"] = [_("Write the text of the item you add.")]
    elif text and not added:
        errors["add_item"] = [_("Choose the item this text is.")]
    elif added:
        errors.update(_long("add_text", text))
        changed[added] = text
    return changed


def _upload(form: MultiDict[str, str], uploads: Mapping[str, FileStorage],
            errors: dict[str, list[str]]) -> list[edits.FileUpload]:  # fmt: skip
    sent = uploads.get("file")
    if sent is None or not sent.filename:
        return []
    item = (form.get("file_item") or "").strip()
    if not item:
        errors["file_item"] = [_("Choose what the file shows.")]
        return []
    return [edits.FileUpload(item, sent.filename, sent.read(files.MAX_FILE_BYTES + 1))]


def parse(form: MultiDict[str, str], uploads: Mapping[str, FileStorage]) -> edits.Change:
    """The change the form stands for; :class:`FormError` with messages per field."""
    errors: dict[str, list[str]] = {}
    statement = _clean(form.get("statement"))
    errors.update(_long("statement", statement))
    texts = _texts(form, errors)
    added = _upload(form, uploads, errors)
    if form.get("then") == "submit" and not form.get("confirm"):
        errors["confirm"] = [_("Tick this box to send the packet.")]
    if errors:
        raise FormError(errors)
    return edits.Change(items=texts, excluded=form.getlist("excluded"), statement=statement,
                        files=added, remove_files=form.getlist("remove_file"))  # fmt: skip


# The codes of edits.apply's and transparency.files' refusals, in the reader's words.
FILE_WORDS = {
    "too_large": N_("The file is larger than %(size)s MB."),
    "type_not_allowed": N_("Only photos (JPEG, PNG, GIF, WebP) and PDF files can be added."),
    "empty": N_("The file is empty."),
    "too many": N_("A packet takes at most %(count)s files: remove one first."),
}


def problems(error: DisputeflowError, marketplace: str) -> tuple[dict[str, list[str]], str | None]:
    """The reader's words for a refusal of the packet's feature: messages per field, and one
    for the whole form (``None``: the refusal's own message is shown)."""
    said: dict[str, Any] = error.errors or {}
    codes = [str(code) for code in said.get("files") or ()]
    for code in codes:
        if code in FILE_WORDS:
            words = _(FILE_WORDS[code], size=files.MAX_FILE_BYTES // (1024 * 1024),
                      count=edits.MAX_FILES)  # fmt: skip
            return {"file": [words]}, None
        if "no file field left" in code:
            return {}, _("%(marketplace)s takes no more files for this packet: remove a file or "
                         "leave it out.", marketplace=marketplace)  # fmt: skip
    return {}, None
