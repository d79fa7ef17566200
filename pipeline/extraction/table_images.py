"""Which pictures of an HTML report page may be its tables, and which archived ones to read.

Some agencies post a report's tables as PNG/JPEG pictures inside the report page. The crawl
fetches the pictures this module names (`table_image_urls`), the archive pairs the page with
their archived records by the same names, and extraction reads the ones that pass
`table_image_problem` by OCR after the page's own text (`select_table_images`). One function
names them for the spider, the load and the rebuild, so a rebuilt page is read with exactly the
pictures the crawl fetched for it.

What counts: an `<img>` on the page's own site (its organisation's domain: `img.pingtan.gov.cn`
for a page of `www.pingtan.gov.cn`, not another government's host; an IP address with its own
port only; whether the crawl may fetch it is the source's `allowed_hosts`' say), with an image
file name (png, jpg, gif, bmp, tif), not site chrome (logos, icons, banners, buttons, QR codes,
the 政府网站找错 and 备案 badges: by path and name words and by alt text), not declared smaller
than `MIN_SIDE` pixels, at most `MAX_TABLE_IMAGES` a page. After fetching, a picture must be at
most `MAX_IMAGE_BYTES` and at least `MIN_SIDE` pixels on both sides: a table smaller than that
has too few pixels to read.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from pipeline.extraction.decode import decode_body
from pipeline.extraction.document import PageImage
from pipeline.extraction.url_site import registered_site

MIN_SIDE = 300  # pixels, both sides
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_TABLE_IMAGES = 20
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")
# Picture file magic: PNG, JPEG, GIF, TIFF (both byte orders), BMP.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_IMG_TAG = re.compile(rb"<img\b", re.I)
_TAG = re.compile(r"<img\b([^>]*)>", re.I | re.S)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.S)
# Words of a file name or folder that mark site chrome, not content (after splitting on
# non-letters and dropping trailing digits: logo2.png, btn_close.gif, /skin/images/...).
_CHROME_WORDS = frozenset(
    "logo logos icon icons ico favicon banner banners btn button buttons arrow bg background "
    "top head header foot footer nav menu share qr qrcode ewm erweima weixin wechat wx weibo "
    "print close spacer blank line dot bullet jiucuo jc gongan beian conac dzjg search sousuo "
    "wza loading more css style styles skin skins theme themes template templates tpl".split()
)
_CHROME_ALT = re.compile(
    r"二维码|标识|图标|徽标|logo|纠错|找错|无障碍|备案|党政机关|分享|打印|关闭", re.I
)
_WORD = re.compile(r"[a-z]+")


def _attributes(tag: str) -> dict[str, str]:
    return {
        name.lower(): html.unescape(value.strip("\"'")).strip()
        for name, value in _ATTRIBUTE.findall(tag)
    }


def _file_name(url: str) -> str:
    """The picture's file name: the path's last part, or a download script's file parameter."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1].lower()
    if name.endswith(IMAGE_EXTENSIONS):
        return name
    for _, value in parse_qsl(parts.query):
        if value.lower().endswith(IMAGE_EXTENSIONS):
            return value.lower().rsplit("/", 1)[-1]
    return ""


def _is_chrome(url: str, alt: str) -> bool:
    path = urlsplit(url).path.lower()
    words = set(_WORD.findall(path))
    return bool(words & _CHROME_WORDS) or bool(_CHROME_ALT.search(alt))


def _declared_small(attributes: dict[str, str]) -> bool:
    """Width or height attributes (plain pixels) below `MIN_SIDE`; a percentage says nothing."""
    for name in ("width", "height"):
        value = attributes.get(name, "").lower().removesuffix("px").strip()
        if value.isdigit() and int(value) < MIN_SIDE:
            return True
    return False


def image_url(src: str, page_url: str) -> str:
    """The absolute URL a page's `src` names, spelled as the crawl requests it (Scrapy's
    `safe_url_string`, no fragment): the archive finds the picture under this name."""
    parts = urlsplit(urljoin(page_url, src.strip()))
    return safe_url_string(urlunsplit((*parts[:4], "")))


def table_image_urls(body: bytes, url: str, content_type: str = "") -> list[str]:
    """The pictures of the HTML page `body` at `url` that may be its tables, in page order."""
    if _IMG_TAG.search(body) is None:
        return []  # most pages: no picture at all, no decoding
    text = decode_body(body, content_type).text
    site, found = registered_site(url), []
    for match in _TAG.finditer(text):
        attributes = _attributes(match[1])
        src = attributes.get("src", "")
        if not src or src.startswith(("data:", "javascript:")):
            continue
        target = image_url(src, url)
        if urlsplit(target).scheme not in ("http", "https") or registered_site(target) != site:
            continue
        if not _file_name(target) or _is_chrome(target, attributes.get("alt", "")):
            continue
        if _declared_small(attributes) or target in found:
            continue
        found.append(target)
        if len(found) >= MAX_TABLE_IMAGES:
            break
    return found


def table_image_problem(body: bytes) -> str | None:
    """Why an archived picture is not read as a table (too large, not a picture, too small to
    hold one), or None."""
    if len(body) > MAX_IMAGE_BYTES:
        return f"larger than {MAX_IMAGE_BYTES} bytes"
    if not body.startswith(_IMAGE_MAGIC):
        return "not a picture"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size  # read from the header; pixels stay undecoded
    except (UnidentifiedImageError, OSError, ValueError) as error:
        return f"unreadable picture: {error}"[:200]
    if min(width, height) < MIN_SIDE:
        return f"{width}×{height} px, too small for a table"
    return None


def select_table_images(
    images: Sequence[PageImage], bodies: Sequence[bytes | None]
) -> tuple[list[bytes], list[str]]:
    """The bodies to read as the page's tables, in page order, and a note for every picture the
    page names that could not be had (not archived, HTTP error, unreadable record). Pictures
    that are not tables (too small, not a picture) are left out without a note: most are
    decoration that the name filter let through."""
    chosen: list[bytes] = []
    notes: list[str] = []
    for image, body in zip(images, bodies, strict=True):
        if image.problem or body is None:
            problem = image.problem or (
                "archived record unreadable" if image.warc_file else "not archived"
            )
            notes.append(f"table image {image.url} not read: {problem}")
            continue
        if table_image_problem(body) is None:
            chosen.append(body)
    return chosen, notes
