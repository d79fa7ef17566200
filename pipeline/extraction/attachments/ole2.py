"""The stream names of an OLE2 compound file, to tell Word (and WPS) from Excel by content.

Word 97-2003 (.doc), Kingsoft WPS Writer (.wps, a Word 97 container) and Excel 97-2003 (.xls)
share the OLE2 container (magic `D0 CF 11 E0 A1 B1 1A E1`); what sets them apart is the streams
inside: `WordDocument` for the word processors, `Workbook` (or `Book` for Excel 5) for the
spreadsheets. Servers mislabel both, so `extract.detect_format` asks the directory rather than
the Content-Type. Only the header's own FAT sector list is used (files up to several MB, and the
directory comes first in practice) and the walk is capped, so a damaged file gives an empty set,
never an exception.
"""

from __future__ import annotations

import struct

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIRECTORY_ENTRY = 128
_MAX_DIRECTORY_SECTORS = 64
_LAST_REGULAR_SECTOR = 0xFFFFFFFA


def _sector(body: bytes, index: int, size: int) -> bytes:
    start = (index + 1) * size
    return body[start : start + size]


def stream_names(body: bytes) -> set[str]:
    """Names in the file's directory (streams and storages); empty when it cannot be walked."""
    if not body.startswith(OLE2_MAGIC) or len(body) < 512:
        return set()
    sector_shift = struct.unpack_from("<H", body, 0x1E)[0]
    if sector_shift not in (9, 12):
        return set()
    size = 1 << sector_shift
    first_directory = struct.unpack_from("<I", body, 0x30)[0]
    fat_sectors = struct.unpack_from("<109I", body, 0x4C)
    fat = b"".join(
        _sector(body, index, size) for index in fat_sectors if index <= _LAST_REGULAR_SECTOR
    )
    next_sector = struct.unpack(f"<{len(fat) // 4}I", fat[: len(fat) // 4 * 4])
    names: set[str] = set()
    sector = first_directory
    seen: set[int] = set()
    while (
        sector <= _LAST_REGULAR_SECTOR and sector not in seen and len(seen) < _MAX_DIRECTORY_SECTORS
    ):
        seen.add(sector)
        data = _sector(body, sector, size)
        for offset in range(0, len(data) - _DIRECTORY_ENTRY + 1, _DIRECTORY_ENTRY):
            name_bytes = struct.unpack_from("<H", data, offset + 0x40)[0]
            kind = data[offset + 0x42]
            if kind in (1, 2, 5) and 2 <= name_bytes <= 64:
                name = data[offset : offset + name_bytes - 2].decode("utf-16-le", "replace")
                names.add(name)
        sector = next_sector[sector] if sector < len(next_sector) else _LAST_REGULAR_SECTOR + 1
    return names
