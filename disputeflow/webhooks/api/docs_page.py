"""``/api/docs``: Swagger UI served from the installed package, never from a CDN.

The assets come from the ``flask-swagger-ui`` distribution (Swagger UI's own ``dist``
files, vendored in the wheel), so the page works offline and loads nothing from another
host. The page has no inline script (our start file is static), and carries a CSP and
frame protection like the workspace: scripts, styles and the document from this origin
only, no framing.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, send_from_directory
from markupsafe import escape

ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "swagger-ui.css", "index.css", "favicon-32x32.png",
                    "favicon-16x16.png"})  # fmt: skip
OURS = Path(__file__).parent / "docs_static"

# Swagger UI sets style attributes at run time: inline styles, never inline scripts.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="stylesheet" href="{assets}/index.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png" sizes="32x32">
</head><body data-spec="{spec}"><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-ui-standalone-preset.js"></script>
<script src="{assets}/start.js"></script>
</body></html>
"""

blueprint = Blueprint("api_docs", __name__, url_prefix="/api/docs")


def swagger_dist() -> Path:
    """Where the installed ``flask-swagger-ui`` keeps Swagger UI's files."""
    return Path(str(resources.files("flask_swagger_ui") / "dist"))


@blueprint.get("")
def page() -> Response:
    html = PAGE.format(title=escape("disputeflow"), assets="/api/docs/assets",
                       spec="/api/openapi.json")  # fmt: skip
    return Response(html, mimetype="text/html")


@blueprint.get("/assets/<name>")
def asset(name: str) -> Response:
    if name == "start.js":
        return send_from_directory(OURS, name, max_age=3600)
    if name not in ASSETS:
        abort(404)
    return send_from_directory(swagger_dist(), name, max_age=3600)


@blueprint.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
