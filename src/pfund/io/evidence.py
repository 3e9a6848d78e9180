"""Evidence files: type and size limits, and images cleaned of their metadata.

A photo's EXIF block can hold the GPS position where it was taken, the camera's owner
and serial number: enough to find a partner the fund protects. So an image is decoded
and its pixels written again into a new file of the same format with no metadata at
all (no EXIF, GPS, XMP, ICC comments or text chunks), after turning it upright by its
EXIF orientation so nothing visible changes. Its SHA-256 is taken of the cleaned bytes,
which are all that is stored. The type is read from the content, never from the name.

A PDF document's metadata can name its author, the software and machine that made it,
and the dates it was written (the Info dictionary, and XMP packets in the catalog and on
pages). So a PDF is read with pypdf and its pages copied into a new document with no
Info dictionary, no XMP and no page piece-info; a PDF that cannot be rewritten so
(encrypted, or damaged beyond pypdf's repair) is refused rather than stored as sent.
Staff see evidence files, the public never does.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import NoReturn

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from pfund.errors import InvalidInput, Problem

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a larger image is refused rather than decoded (a pixel bomb)
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
ACCEPTED = (*IMAGE_TYPES.values(), PDF_TYPE)


@dataclass(frozen=True)
class CleanFile:
    """An evidence file ready to store: its cleaned bytes, type and content hash."""

    filename: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def clean_evidence(filename: str, data: bytes) -> CleanFile:
    """The file as it may be stored, or an ``InvalidInput`` naming the file and why."""
    if len(data) > MAX_EVIDENCE_BYTES:
        _refuse(
            filename,
            f"is {len(data)} bytes; an evidence file may be at most "
            f"{MAX_EVIDENCE_BYTES // 2**20} MiB",
        )
    if not data:
        _refuse(filename, "is empty")
    if data.startswith(b"%PDF-"):
        return CleanFile(filename, PDF_TYPE, _clean_pdf(filename, data))
    return CleanFile(filename, *_clean_image(filename, data))


# what a page may carry that describes its making rather than its content
PAGE_METADATA = ("/Metadata", "/PieceInfo", "/LastModified")


def _clean_pdf(filename: str, data: bytes) -> bytes:
    """The document's pages in a new PDF without Info dictionary or XMP metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _refuse(filename, "is an encrypted PDF; its metadata cannot be removed")
            writer = PdfWriter()
            for page in reader.pages:
                # dropped before the copy, so the objects they point to are not copied
                for key in PAGE_METADATA:
                    if key in page:
                        del page[key]
                writer.add_page(page)
            writer.metadata = None  # no Info dictionary at all, not even a Producer
            out = io.BytesIO()
            writer.write(out)
    except PyPdfError:
        _refuse(filename, "is a damaged PDF whose metadata cannot be removed")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        _refuse(filename, "is a damaged PDF whose metadata cannot be removed")
    return out.getvalue()


def _clean_image(filename: str, data: bytes) -> tuple[str, bytes]:
    accepted = "JPEG, PNG or WebP images, or PDF documents"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in IMAGE_TYPES:
                    _refuse(filename, f"is a {kind or 'unknown'} file; accepted are {accepted}")
                if image.width * image.height > MAX_PIXELS:
                    _refuse(filename, f"has more than {MAX_PIXELS} pixels")
                upright = ImageOps.exif_transpose(image)
                return IMAGE_TYPES[kind], _without_metadata(upright, kind)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        _refuse(filename, f"is not a file type pfund accepts ({accepted})")
    except (OSError, SyntaxError, ValueError):
        _refuse(filename, "is damaged and cannot be read as an image")


def _without_metadata(image: Image.Image, kind: str) -> bytes:
    """The pixels alone, in a new image that carries no ``info`` of the original."""
    mode = image.mode
    if mode not in ("RGB", "RGBA", "L", "LA"):
        mode = "RGBA" if "A" in mode or "transparency" in image.info else "RGB"
        image = image.convert(mode)
    if kind == "JPEG" and mode in ("RGBA", "LA"):
        mode = "RGB"
        image = image.convert(mode)
    bare = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
    bare.save(out, format=kind, **options)
    return out.getvalue()


def _refuse(filename: str, reason: str) -> NoReturn:
    raise InvalidInput(
        f"evidence file {filename} refused; nothing was stored",
        [Problem(reason, file=filename, field="evidence")],
    )
