"""The bundled sample portal: government-CMS look-alike sites on 127.0.0.1 for demo and tests.

The entry point is `portal.server.SamplePortal` (re-exported here) and `serve_forever`.
"""

from __future__ import annotations

from portal.server import SamplePortal, serve_forever

__all__ = ["SamplePortal", "serve_forever"]
