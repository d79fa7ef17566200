"""The pictures a Word 2007+ file shows, in the order its body shows them, that may be tables.

Agencies paste the statistical tables into their Word report as pictures (screenshots, scans)
more often than one would hope. This module finds them: every `a:blip r:embed` (DrawingML, what
Word writes) and `v:imagedata r:id` (VML, what older Word and WPS write) of word/document.xml,
resolved through word/_rels/document.xml.rels to its word/media part, each part once, in body
order. Extraction reads them by OCR only when the document's own tables lack the template's
(`pipeline.extraction.extract`).

A picture is kept when it is a raster format PIL opens (PNG, JPEG, GIF, TIFF, BMP) of at most
`MAX_IMAGE_BYTES`, at least `MIN_SIDE` pixels along its longer side and `MIN_STRIP_PIXELS` along
its shorter. Not `MIN_SIDE` on both sides, as for a web page's pictures (`table_images`): a table
pasted into Word is cut where the page breaks, and a table of five rows, or the two rows left on
the next page, is a wide strip 75–180 px high at 150 dpi that OCR reads as well as any.
Decoration (logos, seals, icons) is small both ways and left out without a note; a picture that
might be a table but cannot be read (EMF/WMF: Word's paste of an Excel range, a linked file, a
part too large or missing) gets a note saying so, for the report's reason.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from pipeline.extraction.table_images import MAX_IMAGE_BYTES, MAX_TABLE_IMAGES, MIN_SIDE

# One row of a table at 150 dpi is about 35 px high (text 12–14 px and the rules): a shorter
# picture is a rule, a border or a line of text, never a table.
MIN_STRIP_PIXELS = 24
# All the pictures kept, together: a hostile file's parts each under MAX_IMAGE_BYTES cannot add
# up to more than this in memory.
MAX_TOTAL_BYTES = 4 * MAX_IMAGE_BYTES

_DOCUMENT = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_EMBED, _LINK, _ID = (f"{{{_R}}}{name}" for name in ("embed", "link", "id"))
# PNG, JPEG, GIF, TIFF (both byte orders), BMP: what PIL reads and OCR can take.
_RASTER_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
# Vector formats Word stores pasted drawings in: PIL identifies them but cannot draw them here.
_VECTOR_KINDS = (
    (b"\x01\x00\x00\x00", "EMF"),
    (b"\xd7\xcd\xc6\x9a", "WMF"),
    (b"\x01\x00\t\x00", "WMF"),
)


@dataclass
class DocxPictures:
    """The pictures kept (bodies, body order) and a note for each one that might be a table
    but cannot be read."""

    bodies: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _targets(archive: zipfile.ZipFile) -> dict[str, str | None]:
    """Relationship id → the part it names inside the package (None for an external link)."""
    if _RELS not in archive.namelist():
        return {}
    targets: dict[str, str | None] = {}
    for rel in etree.fromstring(archive.read(_RELS), _parser()):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            targets[rel.get("Id", "")] = None
        elif target.startswith("/"):
            targets[rel.get("Id", "")] = posixpath.normpath(target.lstrip("/"))
        else:
            targets[rel.get("Id", "")] = posixpath.normpath(posixpath.join("word", target))
    return targets


def _references(document: bytes) -> list[tuple[str, bool]]:
    """(relationship id, whether the picture is linked rather than embedded) of every picture
    the body shows, in order."""
    found: list[tuple[str, bool]] = []
    for element in etree.fromstring(document, _parser()).iter(_BLIP, _IMAGEDATA):
        if element.tag == _BLIP:
            rid = element.get(_EMBED) or element.get(_LINK)
            linked = element.get(_EMBED) is None
        else:
            rid, linked = element.get(_ID), False
        if rid:
            found.append((rid, linked))
    return found


def _unreadable(body: bytes) -> str | None:
    """Why OCR cannot take `body` (a format PIL cannot draw), or None."""
    if body.startswith(_RASTER_MAGIC):
        return None
    for magic, kind in _VECTOR_KINDS:
        if body.startswith(magic):
            return f"{kind}, a vector format the OCR cannot read"
    return "not a PNG, JPEG, GIF, TIFF or BMP picture"


def _size(body: bytes) -> tuple[int, int] | str:
    """The picture's pixel size from its header, or why it cannot be opened."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        return f"unreadable picture: {error}"[:200]
    return width, height


def docx_pictures(body: bytes) -> DocxPictures:
    """The pictures of the DOCX `body` that may be its tables; an empty result for a file with
    none or one that is not a readable package (the text reader reports that)."""
    found = DocxPictures()
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if not any(name.startswith("word/media/") for name in infos) or _DOCUMENT not in infos:
                return found  # most Word files: no picture at all, nothing parsed
            targets = _targets(archive)
            references = _references(archive.read(_DOCUMENT))
            seen: set[str] = set()
            total = 0
            for rid, linked in references:
                part = targets.get(rid)
                name = part or rid
                if name in seen:
                    continue
                seen.add(name)
                if len(found.bodies) >= MAX_TABLE_IMAGES:
                    found.problems.append(f"pictures after the first {MAX_TABLE_IMAGES} not read")
                    break
                if linked or part is None:
                    found.problems.append(f"picture {name} not read: linked, not in the file")
                    continue
                info = infos.get(part)
                if info is None:
                    found.problems.append(f"picture {part} not read: missing from the file")
                    continue
                if info.file_size > MAX_IMAGE_BYTES or total + info.file_size > MAX_TOTAL_BYTES:
                    found.problems.append(f"picture {part} not read: too large")
                    continue
                try:
                    picture = archive.read(info)
                except Exception as error:  # noqa: BLE001 - a bad CRC, deflate or method: this part
                    found.problems.append(f"picture {part} not read: {error}"[:200])
                    continue
                problem = _unreadable(picture)
                size = _size(picture) if problem is None else problem
                if isinstance(size, str):
                    found.problems.append(f"picture {part} not read: {size}")
                    continue
                if max(size) < MIN_SIDE or min(size) < MIN_STRIP_PIXELS:
                    continue  # a logo, an icon, a rule: not a table
                found.bodies.append(picture)
                total += len(picture)
    except Exception:  # noqa: BLE001 - zipfile/lxml errors on bad input: no pictures to read
        return DocxPictures()
    return found
