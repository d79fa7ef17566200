"""The converter's far side: a script run by the Python that has LibreOffice's `uno` module.

`pipeline.extraction.attachments.converter` starts this file as its own process with Debian's
`/usr/bin/python3` (python3-uno lives there, not in the project's venv), in a working directory
the parent owns:

    python3 legacy_word_bridge.py WORKDIR SOFFICE

It starts one headless LibreOffice (`soffice`) listening on a named pipe, with its user profile in
WORKDIR, connects to it through UNO and then converts documents one at a time for as long as
its standard input stays open. Nothing of ours is imported (only the standard library and `uno`).

Protocol on stdin/stdout, binary, one exchange at a time:

- at start the bridge writes one message: status `R` (ready, empty payload) or `E` (payload: why it could not start), then exits on `E`;
- request: the target (`docx`: a legacy document to DOCX, for extraction, refused unless
  LibreOffice opened it with a Word/WPS/RTF filter; `doc` / `rtf`: any Writer document to Word 97
  or RTF, which the tests and the sample portal use to make legacy files), a newline, the body's length as 8 bytes
  big-endian, the body;
- answer: one status byte (`K`: payload is the DOCX; `E`: payload is the reason, UTF-8), 8-byte
  big-endian length, payload.

End of stdin ends LibreOffice and the bridge. Timeouts and size caps are the parent's job: it
kills this process group when an answer is late.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

# Import filters whose output we accept: Word 6/95/97-2003 (Kingsoft WPS files are Word 97
# containers and open as "MS Word 97"), Works .wps, RTF. Anything else means LibreOffice guessed
# (a damaged .doc opens as plain text), which is not a Word document.
ACCEPTED_FILTERS = {
    "MS Word 97",
    "MS Word 97 Vorlage",
    "MS Word 95",
    "MS Word 95 Vorlage",
    "MS WinWord 6.0",
    "MS WinWord 5",
    "MS_Works",
    "Rich Text Format",
}
# Target → LibreOffice export filter.
EXPORT_FILTERS = {"docx": "MS Word 2007 XML", "doc": "MS Word 97", "rtf": "Rich Text Format"}
_CONNECT_SECONDS = 60.0


def _message(out: BinaryIO, status: bytes, payload: bytes) -> None:
    out.write(status + struct.pack(">Q", len(payload)) + payload)
    out.flush()


def _read_exactly(size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = sys.stdin.buffer.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _property(name: str, value: object) -> object:
    import uno

    prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    prop.Name, prop.Value = name, value
    return prop


def _start_office(workdir: Path, soffice: str) -> tuple[subprocess.Popen[bytes], object]:
    """Start soffice on a pipe named for this process and return it with its Desktop."""
    import uno
    from com.sun.star.connection import NoConnectException

    pipe_name = f"nianbao_legacy_word_{os.getpid()}"
    office = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
            f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
    )
    deadline = time.monotonic() + _CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"soffice did not start (exit status {office.poll()})") from None
            time.sleep(0.05)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    return office, desktop


def _read_line() -> bytes | None:
    line = sys.stdin.buffer.readline(64)
    return line.rstrip(b"\n") if line.endswith(b"\n") else None


def _convert(desktop: object, body: bytes, to: str, workdir: Path) -> tuple[bytes, bytes]:
    """One document to `to`'s format: (b"K", bytes) or (b"E", reason)."""
    if to not in EXPORT_FILTERS:
        return b"E", f"unknown target {to!r}".encode()
    source, target = workdir / "input", workdir / f"output.{to}"
    source.write_bytes(body)
    target.unlink(missing_ok=True)
    load_options = (
        _property("Hidden", True),
        _property("ReadOnly", True),
        _property("MacroExecutionMode", 0),  # NEVER_EXECUTE
        _property("UpdateDocMode", 0),  # NO_UPDATE: no links fetched
    )
    try:
        document = desktop.loadComponentFromURL(source.as_uri(), "_blank", 0, load_options)  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 - UNO raises its own exception types
        reason = f"unreadable document: LibreOffice could not open it ({type(error).__name__})"
        return b"E", reason.encode()
    if document is None:
        return b"E", b"unreadable document: LibreOffice could not open it"
    try:
        filter_name = next(
            (arg.Value for arg in document.getArgs() if arg.Name == "FilterName"), ""
        )
        if to == "docx" and filter_name not in ACCEPTED_FILTERS:
            return b"E", f"not a Word document (LibreOffice read it as {filter_name!r})".encode()
        document.storeToURL(target.as_uri(), (_property("FilterName", EXPORT_FILTERS[to]),))
        return b"K", target.read_bytes()
    except Exception as error:  # noqa: BLE001 - UNO raises its own exception types
        return b"E", f"LibreOffice could not convert it: {type(error).__name__}".encode()
    finally:
        document.close(True)


def main() -> None:
    workdir, soffice = Path(sys.argv[1]), sys.argv[2]
    # Only the protocol may reach stdout; anything printed by accident goes to stderr.
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    try:
        office, desktop = _start_office(workdir, soffice)
    except ImportError:
        _message(
            out, b"E", b"no uno module in this python3 (install the Debian package python3-uno)"
        )
        return
    except Exception as error:  # noqa: BLE001 - report any start failure to the parent
        _message(out, b"E", f"LibreOffice did not start: {error}".encode())
        return
    _message(out, b"R", b"")
    try:
        while True:
            to = _read_line()
            header = _read_exactly(8) if to is not None else None
            if to is None or header is None:
                break
            body = _read_exactly(struct.unpack(">Q", header)[0])
            if body is None:
                break
            status, payload = _convert(desktop, body, to.decode("ascii", "replace"), workdir)
            _message(out, status, payload)
    finally:
        try:
            desktop.terminate()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the office may already be gone
            pass
        try:
            office.wait(timeout=10)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
