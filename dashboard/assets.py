"""Static files the app serves itself: plotly.js for the explorer's map (``dashboard/map_chart.py``).

The file is the copy in the installed plotly package (nothing is downloaded). Its address
holds plotly's version, so the browser may keep it for good. Imported by the server at
start, so it imports neither plotly nor Streamlit.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route


def _plotly_folder() -> Path:
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the plotly package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


PLOTLY_JS = _plotly_folder() / "package_data" / "plotly.min.js"
PLOTLY_URL = f"/assets/plotly-{importlib.metadata.version('plotly')}.min.js"


async def _plotly_js(request: Request) -> FileResponse:
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"},
    )


ROUTES = [Route(PLOTLY_URL, _plotly_js, methods=["GET"])]
