"""Evidence files: images keep their pixels and lose every piece of metadata; the type
is read from the content; sizes and pixel counts have limits."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from pfund.errors import InvalidInput
from pfund.io import evidence
from pfund.io.evidence import clean_evidence

SECRET = "Ivan Petrov, Tver"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = SECRET  # Artist
    exif[0x0112] = 6  # Orientation: turned 90 degrees
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (56.0, 51.0, 30.0)
    return exif


def _saved(kind: str, *, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (30, 20), 120).save(out, format=kind, **options)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_an_image_loses_exif_gps_and_text_but_keeps_its_pixels_upright(kind: str) -> None:
    options: dict[str, object] = {"exif": _exif()}
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", SECRET)
        options["pnginfo"] = text
    raw = _saved(kind, mode="RGB", **options)
    assert SECRET.encode() in raw
    cleaned = clean_evidence(f"photo.{kind.lower()}", raw)
    assert cleaned.media_type == f"image/{kind.lower()}"
    assert SECRET.encode() not in cleaned.content and b"Exif" not in cleaned.content
    image = Image.open(io.BytesIO(cleaned.content))
    assert not image.getexif() and "Author" not in image.info
    assert image.size == (20, 30)  # turned upright by its orientation, then forgotten


def test_a_cmyk_jpeg_and_a_palette_png_are_accepted() -> None:
    assert clean_evidence("scan.jpg", _saved("JPEG", mode="CMYK")).media_type == "image/jpeg"
    assert clean_evidence("map.png", _saved("PNG", mode="P")).media_type == "image/png"


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ivan Petrov, Gorki</dc:creator>'
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def _pdf(*, encrypt: bool = False) -> bytes:
    """A two-page PDF with an Info dictionary (Author, Producer) and XMP in its catalog
    and on a page, as a scanner or word processor writes them."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(300, 100)
    writer.add_metadata({"/Author": "Ivan Petrov", "/Producer": "SiteScan 3.1 on PC-GORKI"})
    for holder in (writer._root_object, writer.pages[1]):
        stream = StreamObject()
        stream.set_data(XMP)
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        holder[NameObject("/Metadata")] = writer._add_object(stream)
    if encrypt:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_loses_its_info_dictionary_and_xmp_but_keeps_its_pages() -> None:
    sent = _pdf()
    assert b"Ivan Petrov" in sent and b"SiteScan" in sent  # the test's own premise
    stored = clean_evidence("report.pdf", sent)
    assert stored.media_type == "application/pdf"
    for trace in (b"Ivan Petrov", b"SiteScan", b"PC-GORKI", b"xmpmeta", b"/Metadata", b"/Info"):
        assert trace not in stored.content, trace
    reader = PdfReader(io.BytesIO(stored.content))
    assert reader.metadata is None and reader.xmp_metadata is None
    assert [tuple(p.mediabox)[2:] for p in reader.pages] == [(200, 200), (300, 100)]
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()


def test_a_pdf_whose_metadata_cannot_be_removed_is_refused() -> None:
    for name, data, why in (
        ("locked.pdf", _pdf(encrypt=True), "encrypted"),
        ("broken.pdf", b"%PDF-1.7\n%...\n", "damaged"),
    ):
        with pytest.raises(InvalidInput) as info:
            clean_evidence(name, data)
        (problem,) = info.value.problems
        assert problem.file == name and why in problem.reason


def test_other_types_are_refused_by_content() -> None:
    with pytest.raises(InvalidInput) as info:
        clean_evidence("photo.jpg", _saved("GIF"))  # a GIF, whatever its name says
    assert "GIF" in info.value.problems[0].reason
    assert info.value.problems[0].file == "photo.jpg"
    with pytest.raises(InvalidInput):
        clean_evidence("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")


def test_limits_on_bytes_and_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidInput) as info:
        clean_evidence("big.pdf", b"%PDF-" + b"0" * evidence.MAX_EVIDENCE_BYTES)
    assert "MiB" in info.value.problems[0].reason
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100)
    with pytest.raises(InvalidInput) as pixels:
        clean_evidence("wide.png", _saved("PNG"))
    assert "pixels" in pixels.value.problems[0].reason
    with pytest.raises(InvalidInput):
        clean_evidence("empty.png", b"")
