"""The report page shows a PDF metric's cell on its page, rendered from the archived bytes.

Over the seed portal's crawl (conftest `seed_crawl`: real HTTP, the real command line), whose
PDF attachments are read with their cells' pages and boxes: the picture is the page rendered by
PDFium from the WARC record, with the cell's box outlined in red.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from conftest import Crawl
from test_datasette_queries import fetch, published_datasette

from archive.publish import prepare_for_publishing

pytestmark = pytest.mark.slow

SCALE = 2.0  # pixels per point, as datasette/plugins/page_image.py renders
RED = (220, 20, 60)


@pytest.fixture(scope="module")
def published(seed_crawl: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page-image") / "nianbao.db"
    shutil.copy(seed_crawl.db, path)
    prepare_for_publishing(sqlite_utils.Database(path))
    return path


def _pdf_metric(db_path: Path) -> dict:
    rows = sqlite_utils.Database(db_path).query(
        "SELECT m.report_id, m.key, m.raw, m.page, m.bbox FROM metrics m "
        "JOIN reports r ON r.id = m.report_id WHERE m.page IS NOT NULL AND m.raw != '' "
        "AND r.content_type = 'application/pdf' ORDER BY m.report_id, m.key LIMIT 1"
    )
    found = next(iter(rows), None)
    assert found is not None, "the crawl stored no PDF metric with its page"
    return found


def test_cell_picture_is_its_page_with_the_box_outlined(
    published: Path, seed_crawl: Crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    monkeypatch.setenv("NIANBAO_ARCHIVE", str(seed_crawl.archive))
    metric = _pdf_metric(published)
    ds = published_datasette(published)
    response = fetch(ds, f"/-/report/{metric['report_id']}/cell/{metric['key']}.png")
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    x0, top, x1, bottom = json.loads(metric["bbox"])
    # The outline runs along the box's left edge, just outside the printed characters.
    left = int((x0 - 3) * SCALE) + 1
    middle = int((top + bottom) / 2 * SCALE)
    assert image.getpixel((left, middle)) == RED
    # Inside the box the page is the page: the printed digits, not the outline.
    inside = {
        image.getpixel((x, y))
        for x in range(int(x0 * SCALE) + 2, int(x1 * SCALE) - 1)
        for y in range(int(top * SCALE) + 2, int(bottom * SCALE) - 1)
    }
    assert RED not in inside and len(inside) > 1


def test_report_page_links_pdf_cells_to_their_picture(
    published: Path, seed_crawl: Crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_ARCHIVE", str(seed_crawl.archive))
    metric = _pdf_metric(published)
    page = fetch(published_datasette(published), f"/-/report/{metric['report_id']}").text
    assert f"/-/report/{metric['report_id']}/cell/{metric['key']}.png" in page


def test_metric_not_read_from_a_page_has_no_picture(published: Path) -> None:
    found = sqlite_utils.Database(published).query(
        "SELECT report_id, key FROM metrics WHERE page IS NULL LIMIT 1"
    )
    metric = next(iter(found))
    ds = published_datasette(published)
    path = f"/-/report/{metric['report_id']}/cell/{metric['key']}.png"
    assert asyncio.run(ds.client.get(path)).status_code == 404
