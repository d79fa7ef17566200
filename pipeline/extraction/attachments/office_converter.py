"""One headless LibreOffice per extraction process, converting legacy Word files to DOCX.

Why a long-lived process: `soffice --headless --convert-to docx` starts LibreOffice for every
file (about 1.4 s on the development machine, 2 s with a fresh profile), while a running
LibreOffice converts a report-sized .doc in well under a second. So the first legacy document a
process meets starts `legacy_word_bridge.py` under Debian's `/usr/bin/python3` (the Python that
has python3-uno; the project's venv has no `uno` module), which starts `soffice` on a named pipe
and keeps it; later documents go down the same bridge. `OfficeConverter.starts` and `.pid` say
how often and which.

Why one per process and not one per machine: the extraction workers (`archive/workers.py`) run
one per core, and a LibreOffice converts one document at a time (UNO calls take the office's one
global lock), so a shared server would queue every worker behind it. One per worker keeps
conversions parallel, needs no port (a pipe named for the bridge's pid, so developers and test
runs on one machine never collide), and a crash or a kill takes down one worker's converter only.
It costs memory (120-160 MB resident per LibreOffice, measured), paid only by a worker that
meets a legacy file.

Purity: the converter is deterministic for given bytes (a fresh profile per start, no macros,
no links followed), so extraction stays a function of bytes + URL + headers. Every way it can
go wrong is a `Conversion.problem`, never an exception: LibreOffice or python3-uno missing
(naming the Debian packages), a body over `MAX_LEGACY_WORD_BYTES`, no answer within the timeout
(the bridge and its LibreOffice are killed and the next document starts a new one), a document
LibreOffice cannot open or opens as something other than Word. A forked child does not inherit
its parent's converter: it starts its own. Reads no settings.
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Report-sized .doc files are well under 1 MB; bigger ones carry scanned images, which the DOCX
# reader could not read anyway, and cost LibreOffice seconds and memory each.
MAX_LEGACY_WORD_BYTES = 10 * 1024 * 1024
MAX_DOCX_BYTES = 64 * 1024 * 1024
CONVERSION_TIMEOUT_SECONDS = 30.0
START_TIMEOUT_SECONDS = 60.0
INSTALL_HINT = (
    "install the Debian packages libreoffice-writer-nogui and python3-uno (make system-deps)"
)
_BRIDGE = Path(__file__).with_name("legacy_word_bridge.py")
# Debian's python3 (python3-uno), then the Python bundled with LibreOffice's own builds.
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
SOFFICE_FALLBACK = "/usr/lib/libreoffice/program/soffice"
_HEADER = struct.Struct(">cQ")


@dataclass(frozen=True)
class Conversion:
    """The converted bytes, or why there are none."""

    output: bytes | None = None
    problem: str | None = None


class OfficeConverter:
    """A lazily started bridge to one headless LibreOffice, reused for every document."""

    def __init__(
        self,
        *,
        timeout: float = CONVERSION_TIMEOUT_SECONDS,
        start_timeout: float = START_TIMEOUT_SECONDS,
        soffice: str | None = None,
        pythons: tuple[str, ...] = UNO_PYTHONS,
    ) -> None:
        """`soffice` and `pythons` (tried in order: the first that exists runs the bridge) are
        found on this machine unless given."""
        self.soffice = soffice or shutil.which("soffice") or SOFFICE_FALLBACK
        self.pythons = pythons
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: str | None = None
        self._owner = os.getpid()
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The running bridge's process id, None before the first document or after a kill."""
        return self._process.pid if self._process is not None else None

    def start(self) -> str | None:
        """Start LibreOffice now rather than on the first document; the problem, if any."""
        self._forget_if_forked()
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return None
            return self._start()

    def convert(self, body: bytes, *, to: str = "docx", timeout: float | None = None) -> Conversion:
        """`body` (a .doc, .wps or .rtf) as DOCX bytes, or the problem. `to="doc"` or `"rtf"`
        turns any Writer document into Word 97 or RTF instead (test material, the sample
        portal's .doc report)."""
        if len(body) > MAX_LEGACY_WORD_BYTES:
            return Conversion(
                problem=f"file too large to convert ({len(body)} bytes > {MAX_LEGACY_WORD_BYTES})"
            )
        self._forget_if_forked()
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                problem = self._start()
                if problem:
                    return Conversion(problem=problem)
            return self._exchange(body, to, self.timeout if timeout is None else timeout)

    def close(self) -> None:
        """End LibreOffice (closing the bridge's stdin ends it); kill it if it lingers."""
        self._forget_if_forked()
        with self._lock:
            process = self._process
            if process is None:
                return
            try:
                if process.stdin:
                    process.stdin.close()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()

    def _forget_if_forked(self) -> None:
        # The parent's bridge belongs to the parent: a forked child starts its own.
        if self._owner != os.getpid():
            self._owner = os.getpid()
            self._process, self._workdir = None, None
            self._lock = threading.Lock()

    def _start(self) -> str | None:
        self._kill()
        if not os.path.exists(self.soffice):
            return f"LibreOffice is not installed (no {self.soffice}): {INSTALL_HINT}"
        python = next((path for path in self.pythons if os.path.exists(path)), None)
        if python is None:
            return f"no system python3 for LibreOffice's uno module: {INSTALL_HINT}"
        self._workdir = tempfile.mkdtemp(prefix="nianbao-office-")
        self.starts += 1
        # -I: the venv's PYTHONPATH/PYTHONHOME must not reach Debian's python3. A session of its
        # own, so a kill reaches LibreOffice too.
        self._process = subprocess.Popen(
            [python, "-I", str(_BRIDGE), self._workdir, self.soffice],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            start_new_session=True,
        )
        message = self._read_message(time.monotonic() + self.start_timeout)
        if message is None:
            self._kill()
            return f"LibreOffice did not start within {self.start_timeout:g} s"
        status, payload = message
        if status != b"R":
            self._kill()
            return payload.decode("utf-8", "replace") + f" ({INSTALL_HINT})"
        return None

    def _exchange(self, body: bytes, to: str, timeout: float) -> Conversion:
        assert self._process is not None and self._process.stdin is not None
        try:
            stream = self._process.stdin.fileno()
            for data in (to.encode("ascii") + b"\n" + struct.pack(">Q", len(body)), body):
                view = memoryview(data)
                while view:  # an unbuffered pipe may take part of a large write
                    view = view[os.write(stream, view) :]
        except OSError:
            self._kill()
            return Conversion(problem="the converter stopped before reading the document")
        message = self._read_message(time.monotonic() + timeout)
        if message is None:
            # Late or dead: either way this LibreOffice is no longer trusted.
            died = self._process.poll() is not None
            self._kill()
            if died:
                return Conversion(problem="LibreOffice crashed converting the document")
            return Conversion(problem=f"conversion timed out after {timeout:g} s")
        status, payload = message
        if status == b"K":
            return Conversion(output=payload)
        return Conversion(problem=payload.decode("utf-8", "replace"))

    def _read_message(self, deadline: float) -> tuple[bytes, bytes] | None:
        """One (status, payload) from the bridge, or None when it is late, dead or too long."""
        header = self._read(_HEADER.size, deadline)
        if header is None:
            return None
        status, size = _HEADER.unpack(header)
        if size > MAX_DOCX_BYTES:
            return None
        payload = self._read(size, deadline)
        return None if payload is None else (status, payload)

    def _read(self, size: int, deadline: float) -> bytes | None:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout.fileno()
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([stream], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(stream, min(size - len(data), 1 << 20))
            if not chunk:
                return None
            data += chunk
        return bytes(data)

    def _kill(self) -> None:
        process, workdir = self._process, self._workdir
        self._process, self._workdir = None, None
        if process is not None:
            if process.poll() is None or _group_alive(process.pid):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream:
                    stream.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


_shared: OfficeConverter | None = None
_shared_lock = threading.Lock()


def shared_converter() -> OfficeConverter:
    """This process's converter, made on first use (its LibreOffice starts on first document)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OfficeConverter()
            atexit.register(_shared.close)
        return _shared
