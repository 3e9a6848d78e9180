"""The API reference pages, served from this process with no request to another host.

Swagger UI (``/docs``) reads ``/api/v1/openapi.json``. Its script and style come from
the ``fastapi-offline`` package, which ships the built Swagger UI 5 bundle (and ReDoc's)
as files and follows their releases; they are served under ``/docs/assets``. A fund on
a closed network reads its API reference as everyone else does.

FastAPI's own ``get_swagger_ui_html`` starts Swagger UI with an inline script (and a
favicon from FastAPI's site); the service's Content-Security-Policy allows scripts from
this origin only (``script-src 'self'``), so the page here loads the same bundle and
starts it from a small script of its own (``/docs/start.js``) instead of loosening the
policy for one page. ReDoc is not offered: it starts a web worker from a ``blob:`` URL
and loads its logo from its maker's site, both refused by that policy.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = f"{DOCS_URL}/assets"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter(include_in_schema=False)

# Swagger UI, started once its bundle is loaded. validatorUrl: null, or the page would ask
# validator.swagger.io to check the document; deepLinking keeps an operation's address.
START_SCRIPT = """\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
"""

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{assets}/favicon.png">
{head}
</head>
<body>
{body}
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve the reference pages and their assets on ``app``."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    app.include_router(router)


def swagger_page(openapi_url: str, title: str) -> str:
    """Swagger UI's page: every URL in it is a path on this service."""
    return PAGE.format(
        title=f"{title} · API reference",
        assets=ASSETS_URL,
        head=f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">',
        body=(
            f'<div id="swagger-ui" data-openapi="{openapi_url}"></div>\n'
            f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>\n'
            f'<script src="{DOCS_URL}/start.js"></script>'
        ),
    )


@router.get(DOCS_URL, response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The API reference, interactive: try a call with a token from ``pfund users token``."""
    app = request.app
    return HTMLResponse(swagger_page(app.openapi_url, app.title))


@router.get(f"{DOCS_URL}/start.js")
def start_script() -> Response:
    """The script that starts Swagger UI (a file of this origin, as the CSP wants)."""
    return Response(START_SCRIPT, media_type="text/javascript")
