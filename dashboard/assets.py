"""Static files the app serves itself: plotly.js for the explorer's map (``dashboard/map_chart.py``).

The file is ``dashboard/vendor/plotly-map.min.js``: plotly.js with only the traces the map
draws (scatter, scattergl, scatter3d), built from plotly.js's own sources by
``scripts/build_plotly_bundle.sh`` at the version the plotly Python package ships. It is
2.0 MB against the full library's 4.8 MB: on the project's 2-core test machine the
browser loads and runs it in about 27 ms against 127 ms (a blank page, median of 7), time
that a page load of the explorer waits for. Nothing is downloaded at run time. Its address
holds its version and a digest of its bytes, so the browser may keep it for good. Imported
by the server at start, so it imports neither plotly nor Streamlit.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PLOTLY_JS = Path(__file__).with_name("vendor") / "plotly-map.min.js"


def bundle_version(head: bytes) -> str:
    """The plotly.js version in a bundle's banner (``* plotly.js v4.1.1 ...``)."""
    found = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", head[:400])
    if found is None:
        raise ValueError("no plotly.js version in the bundle's banner")
    return found.group(1).decode("ascii")


_BYTES = PLOTLY_JS.read_bytes()
PLOTLY_VERSION = bundle_version(_BYTES)
PLOTLY_URL = f"/assets/plotly-map-{PLOTLY_VERSION}-{hashlib.sha256(_BYTES).hexdigest()[:12]}.min.js"


async def _plotly_js(request: Request) -> Response:
    return Response(
        _BYTES, media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"},
    )


ROUTES = [Route(PLOTLY_URL, _plotly_js, methods=["GET"])]
