"""The first page of an uploaded PDF material, drawn once as a picture for its thumbnail.

PDFium (through pypdfium2) draws the page in a child process started for that one file: the
child limits its own memory and processor time before it opens the document, and the parent
waits at most ``RENDER_TIMEOUT`` seconds, so a hostile or broken PDF costs a failed thumbnail
and never a worker. Only the first page is drawn, at most ``width`` pixels wide and twice as
high. The child imports nothing of the application (it runs this file with ``python -I``), and
the web workers never load PDFium themselves.

Any failure (no pages, an encrypted or broken file, PDFium missing, a limit reached) gives
``None``: the material is kept and the library shows its format instead of a picture.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

RENDER_TIMEOUT = 15.0  # seconds the parent waits for the child
CHILD_CPU_SECONDS = 10
CHILD_MEMORY = 768 * 1024 * 1024  # address space of the child, bytes
OUTPUT_MAX = 16 * 1024 * 1024  # a 640×1280 PNG is far below this


def first_page(path: Path, width: int = 640, timeout: float = RENDER_TIMEOUT):  # noqa: ANN201
    """The first page of the PDF at ``path`` as a Pillow image at most ``width`` pixels wide
    (and ``2 × width`` high), or None when it cannot be drawn within the limits."""
    from PIL import Image, UnidentifiedImageError

    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and this file, no shell
            [sys.executable, "-I", str(Path(__file__).resolve()), str(path), str(int(width))],
            capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except (subprocess.TimeoutExpired, OSError):
        return None
    if done.returncode != 0 or not done.stdout or len(done.stdout) > OUTPUT_MAX:
        return None
    try:
        with Image.open(io.BytesIO(done.stdout)) as probe:
            if probe.format != "PNG" or probe.width > width or probe.height > 2 * width:
                return None
            probe.load()
            return probe.copy()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None


def _limit_self() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def _render(path: str, width: int) -> bytes:
    """Runs in the child: the first page as PNG bytes."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        if len(pdf) < 1:
            raise SystemExit(2)
        page = pdf[0]
        page_width, page_height = page.get_size()  # in points
        if page_width <= 0 or page_height <= 0:
            raise SystemExit(2)
        scale = min(width / page_width, 2 * width / page_height)
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG")
        return out.getvalue()
    finally:
        pdf.close()


def _main(argv: list[str]) -> int:
    _limit_self()
    try:
        sys.stdout.buffer.write(_render(argv[1], int(argv[2])))
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - any failure of the child is "no thumbnail"
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv))
