"""Tests for contest.writing.files, office, images and metadata: recognising, storing and
cleaning uploaded files."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from contest.problems import Problem, Refused
from contest.writing import files, office
from contest.writing.files import (
    KINDS,
    WARN_DAMAGED,
    WARN_ENCRYPTED,
    UploadRefused,
    check_file_count,
    display_name,
    save_upload,
    sniff_kind,
    sniff_path,
)
from contest.writing.metadata import clean_copy, is_held, metadata_people
from contest.writing.office import docx_text

MIB = 1024 * 1024
ALL_KINDS = set(KINDS)

# --- building real small files ---------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>Phụ nữ tham chính</dc:title>"
    "<dc:creator>Nguyễn Thị Hoa</dc:creator>"
    "<cp:lastModifiedBy>Lê Văn Bình</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-05-01T08:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
)
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Office Word</Application><Company>Báo Nghệ An</Company>"
    "<Manager>Trần Minh</Manager></Properties>"
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
DOCUMENT = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W} {MC}><w:body>'
    "<w:p><w:r><w:t>Bình đẳng giới</w:t></w:r></w:p>"
    '<w:p><w:r><w:t xml:space="preserve">trong </w:t></w:r><w:r><w:t>chính trị</w:t>'
    "<w:tab/><w:t>2024</w:t></w:r>"
    '<w:del w:id="1" w:author="Lê Văn Bình"><w:r><w:delText>bỏ đi</w:delText></w:r></w:del>'
    "</w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>30,26%</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    "<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>Hộp chữ</w:t>"
    "</w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r>"
    "<w:t>Hộp chữ</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent>"
    "<w:t>Cuối</w:t></w:r></w:p>"
    "</w:body></w:document>"
)
COMMENTS = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:comments {W}>'
    '<w:comment w:id="0" w:author="Đỗ Quang" w:initials="ĐQ"><w:p><w:r><w:t>Sửa</w:t>'
    "</w:r></w:p></w:comment></w:comments>"
)


def make_docx(path: Path, document: str = DOCUMENT, extra: dict[str, bytes] | None = None,
              core: str = CORE) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("docProps/core.xml", core)
        zf.writestr("docProps/app.xml", APP)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator><rdf:Seq><rdf:li>Hoang Lan</rdf:li></rdf:Seq></dc:creator>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def pdf_bytes(author: str = "Nguyễn Thị Hoa", password: str | None = None,
              comment_by: str | None = None, xmp: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Title": "Bài dự thi của Hoa",
                         "/Subject": "Bình đẳng giới", "/Keywords": "Hoa",
                         "/Creator": "Word", "/CreationDate": "D:20240501080000Z"})
    if comment_by:
        writer.add_annotation(0, DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
            NameObject("/Contents"): TextStringObject("Xem lại"),
            NameObject("/T"): TextStringObject(comment_by),
        }))
    if xmp:
        writer.xmp_metadata = XMP
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def gradient(size: tuple[int, int] = (64, 48)) -> Image.Image:
    img = Image.new("RGB", size)
    img.putdata([(x * 4 % 256, y * 5 % 256, (x + y) % 256)
                 for y in range(size[1]) for x in range(size[0])])
    return img


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_bytes(artist: str = "Tran Van Nam", orientation: int | None = 6) -> bytes:
    img = gradient()
    exif = img.getexif()
    exif[0x013B] = artist
    exif[0x9C9D] = "Trần Văn Nam".encode("utf-16-le") + b"\x00\x00"  # XPAuthor
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif, comment=b"anh cua Nam", xmp=XMP,
             icc_profile=SRGB)
    return out.getvalue()


def png_bytes(author: str | None = "Vu Thi Mai") -> bytes:
    info = PngImagePlugin.PngInfo()
    if author:
        info.add_text("Author", author)
        info.add_itxt("Copyright", "© Vũ Thị Mai")
    info.add_text("Software", "editor")
    out = io.BytesIO()
    gradient().save(out, "PNG", pnginfo=info)
    return out.getvalue()


MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400)
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413) + b"\xff\xfb\x90\x64" + bytes(100)


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    box = (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body
    return box + (16).to_bytes(4, "big") + b"mdat" + bytes(8)


M4A = ftyp(b"M4A ", b"M4A ", b"mp42", b"isom")
MP4 = ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41")
MP4_GENERIC = ftyp(b"mp42", b"mp42", b"isom")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)
ELF = b"\x7fELF\x02\x01\x01" + bytes(200)


class CountingStream(io.RawIOBase):
    """A readable stream that remembers how many bytes were asked of it and handed out."""

    def __init__(self, data: bytes | None = None, endless: bool = False) -> None:
        self.data = data or b""
        self.endless = endless
        self.pos = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.endless:
            chunk = b"%PDF-" if self.pos == 0 else bytes(size if size >= 0 else MIB)
            chunk = chunk[:size] if size >= 0 else chunk
        else:
            end = len(self.data) if size < 0 else self.pos + size
            chunk = self.data[self.pos:end]
        self.pos += len(chunk)
        self.bytes_read += len(chunk)
        return chunk


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(data: bytes, name: str, dest: Path, accepted=None, max_bytes: int = 5 * MIB):
    return save_upload(io.BytesIO(data), name, dest, ALL_KINDS if accepted is None else accepted,
                       max_bytes)


def refusal(data: bytes, name: str, dest: Path, accepted=None, max_bytes: int = 5 * MIB):
    with pytest.raises(UploadRefused) as caught:
        upload(data, name, dest, accepted, max_bytes)
    assert listing(dest) == [], "a refused upload leaves nothing behind"
    return caught.value


# --- kinds and sniffing ---------------------------------------------------------------------


def test_kinds_cover_the_seven_kinds():
    assert set(KINDS) == {"pdf", "docx", "jpeg", "png", "mp3", "m4a", "mp4"}
    assert KINDS["jpeg"].extensions == (".jpg", ".jpeg")
    assert KINDS["docx"].mimetype.endswith("wordprocessingml.document")
    for name, kind in KINDS.items():
        assert kind.name == name and kind.label
        assert all(ext.startswith(".") and ext == ext.lower() for ext in kind.extensions)


@pytest.mark.parametrize(
    "head, expected",
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (MP3_ID3, "mp3"),
        (MP3_FRAME, "mp3"),
        (M4A, "m4a"),
        (ftyp(b"mp42", b"M4A "), "m4a"),
        (MP4, "mp4"),
        (MP4_GENERIC, "mp4"),
        (ftyp(b"qt  ", b"qt  "), None),  # QuickTime .mov is not MP4
        (ftyp(b"heic", b"mif1"), None),
        (b"\xff\xf1\x50\x80" + bytes(20), None),  # AAC in ADTS, not MPEG Layer III
        (b"\xff\xfb\xf0\x64" + bytes(20), None),  # bad bitrate index
        (EXE, None),
        (ELF, None),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", None),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", None),
        (b"#!/bin/sh\nrm -rf /\n", None),
        (b"PK\x03\x04\x14\x00", None),  # a ZIP needs its central directory: see sniff_path
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None),
        (b"<html><body>", None),
        (b"", None),
    ],
)
def test_sniff_kind(head, expected):
    assert sniff_kind(head) == expected


def test_sniff_path_opens_zips(tmp_path):
    docx = make_docx(tmp_path / "bai.docx")
    assert sniff_path(docx) == "docx"
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "xin chào")
    assert sniff_path(plain) is None
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    assert sniff_path(broken) is None
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(pdf_bytes())
    assert sniff_path(pdf) == "pdf"


# --- saving uploads -------------------------------------------------------------------------


def test_save_every_kind(tmp_path):
    samples = {
        "pdf": (pdf_bytes(), "Bài báo.pdf"),
        "docx": (make_docx(tmp_path / "src.docx").read_bytes(), "bai-bao.DOCX"),
        "jpeg": (jpeg_bytes(), "anh.jpeg"),
        "png": (png_bytes(), "anh.png"),
        "mp3": (MP3_ID3, "phong-su.mp3"),
        "m4a": (M4A, "phong-su.m4a"),
        "mp4": (MP4, "phong-su.mp4"),
    }
    dest = tmp_path / "uploads"
    stored = []
    for kind, (data, name) in samples.items():
        saved = upload(data, name, dest)
        assert saved.kind == kind
        assert saved.original_name == name
        assert saved.size == len(data)
        assert saved.sha256 == hashlib.sha256(data).hexdigest()
        stem, ext = os.path.splitext(saved.stored_name)
        assert ext == KINDS[kind].extensions[0]
        assert len(stem) == 32 and int(stem, 16) >= 0
        assert (dest / saved.stored_name).read_bytes() == data
        stored.append(saved.stored_name)
    # No temporary files remain, only the stored uploads.
    assert listing(dest) == sorted(stored)


def test_save_reads_in_chunks_and_accepts_exactly_the_limit(tmp_path):
    data = b"%PDF-1.4\n" + bytes(3 * files.CHUNK_SIZE + 11)
    stream = CountingStream(data)
    saved = save_upload(stream, "a.pdf", tmp_path, {"pdf"}, max_bytes=len(data))
    assert saved.size == len(data)


def test_generic_brand_audio_named_m4a_is_m4a(tmp_path):
    # Phone recorders write the generic mp42/isom brands into audio-only files.
    assert upload(MP4_GENERIC, "ghi-am.m4a", tmp_path).kind == "m4a"
    assert upload(MP4_GENERIC, "video.mp4", tmp_path).kind == "mp4"
    # An explicitly audio brand is never a video, whatever the name.
    refused = refusal(M4A, "video.mp4", tmp_path / "x")
    assert refused.code == "upload_name_mismatch" and refused.params["kind"] == "m4a"


def test_empty_file_is_refused(tmp_path):
    refused = refusal(b"", "bai.pdf", tmp_path / "up")
    assert refused.code == "upload_empty"
    assert refused.params["name"] == "bai.pdf"


def test_too_large_stops_reading_at_the_limit(tmp_path):
    limit = 1 * MIB
    stream = CountingStream(b"%PDF-1.4\n" + bytes(10 * MIB))
    dest = tmp_path / "up"
    with pytest.raises(UploadRefused) as caught:
        save_upload(stream, "bai-bao.pdf", dest, {"pdf"}, limit)
    assert caught.value.code == "upload_too_large"
    assert caught.value.params["limit_mb"] == 1
    assert caught.value.params["name"] == "bai-bao.pdf"
    assert stream.bytes_read <= limit + 1
    assert listing(dest) == []


def test_too_large_with_an_endless_stream(tmp_path):
    stream = CountingStream(endless=True)
    with pytest.raises(UploadRefused) as caught:
        save_upload(stream, "a.pdf", tmp_path, {"pdf"}, 20 * MIB)
    assert caught.value.code == "upload_too_large"
    assert caught.value.params["limit_mb"] == 20
    assert stream.bytes_read == 20 * MIB + 1
    assert listing(tmp_path) == []


def test_limit_that_is_not_whole_megabytes(tmp_path):
    refused = refusal(b"%PDF-" + bytes(2 * MIB), "a.pdf", tmp_path / "up", max_bytes=MIB + MIB // 2)
    assert refused.code == "upload_too_large" and refused.params["limit_mb"] == 1.5


@pytest.mark.parametrize(
    "data, name, detected",
    [
        (EXE, "bai-bao.pdf", "executable"),
        (EXE, "setup.exe", "executable"),
        (ELF, "phong-su.mp3", "executable"),
        (b"#!/bin/sh\necho hi\n", "bai.docx", "executable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "bai.doc", "legacy_office"),
        (b"<html><script>x</script></html>", "bai.pdf", ""),
        (b"just some text", "bai.txt", ""),
    ],
)
def test_unknown_and_executable_content_is_refused(tmp_path, data, name, detected):
    refused = refusal(data, name, tmp_path / "up")
    assert refused.code == "upload_unknown_kind"
    assert refused.params["detected"] == detected
    assert refused.params["name"] == name


def test_zip_that_is_not_a_docx_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")  # no [Content_Types].xml
    refused = refusal(buffer.getvalue(), "bai.docx", tmp_path / "up")
    assert refused.code == "upload_unknown_kind" and refused.params["detected"] == "zip"


@pytest.mark.parametrize(
    "kind, name",
    [("docx", "bai-bao.pdf"), ("pdf", "bai-bao.docx"), ("jpeg", "anh.png"),
     ("png", "anh"), ("mp3", "phong-su.mp4")],
)
def test_name_must_match_the_content(tmp_path, kind, name):
    data = {
        "docx": lambda: make_docx(tmp_path / "src.docx").read_bytes(),
        "pdf": pdf_bytes,
        "jpeg": jpeg_bytes,
        "png": png_bytes,
        "mp3": lambda: MP3_FRAME,
    }[kind]()
    refused = refusal(data, name, tmp_path / "up")
    assert refused.code == "upload_name_mismatch"
    assert refused.params["kind"] == kind
    assert refused.params["kind_label"] == KINDS[kind].label
    assert refused.params["name"] == name


def test_kind_not_accepted(tmp_path):
    refused = refusal(png_bytes(), "anh.png", tmp_path / "up", accepted={"pdf", "docx"})
    assert refused.code == "upload_kind_not_accepted"
    assert refused.params["kind"] == "png"
    assert refused.params["accepted"] == "PDF, Word (DOCX)"


def test_docx_zip_bomb_by_compression_ratio(tmp_path):
    bomb = make_docx(tmp_path / "src.docx")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("word/media/image1.bin", "w") as member:
        zeros = bytes(MIB)
        for _ in range(30):
            member.write(zeros)
    assert bomb.stat().st_size < 100_000
    refused = refusal(bomb.read_bytes(), "bai.docx", tmp_path / "up")
    assert refused.code == "upload_zip_bomb"
    assert refused.params["reason"] == "ratio"
    assert refused.params["name"] == "bai.docx"


def test_docx_zip_bomb_by_total_size(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ZIP_TOTAL_BYTES", 3 * MIB)
    docx = make_docx(tmp_path / "src.docx", extra={
        f"word/media/image{i}.bin": os.urandom(MIB) for i in range(4)
    })
    refused = refusal(docx.read_bytes(), "bai.docx", tmp_path / "up", max_bytes=20 * MIB)
    assert refused.code == "upload_zip_bomb" and refused.params["reason"] == "size"


def test_docx_with_a_forged_directory_size(tmp_path):
    # The central directory declares 300 MB for a member that holds a few bytes.
    docx = make_docx(tmp_path / "src.docx", extra={"word/media/big.bin": b"tiny"})
    data = bytearray(docx.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # the directory entry of the last member
    assert data[central + 46:central + 46 + 18] == b"word/media/big.bin"
    data[central + 24:central + 28] = (300 * MIB).to_bytes(4, "little")
    refused = refusal(bytes(data), "bai.docx", tmp_path / "up")
    assert refused.code == "upload_zip_bomb"


def test_docx_with_too_many_entries(tmp_path):
    docx = make_docx(tmp_path / "src.docx", extra={
        f"customXml/item{i}.xml": b"<a/>" for i in range(files.MAX_ZIP_ENTRIES)
    })
    refused = refusal(docx.read_bytes(), "bai.docx", tmp_path / "up")
    assert refused.code == "upload_zip_bomb" and refused.params["reason"] == "entries"


def test_original_name_is_cleaned_for_display(tmp_path):
    saved = upload(pdf_bytes(), "C:\\Users\\hoa\\Desktop\\Bài báo.pdf", tmp_path)
    assert saved.original_name == "Bài báo.pdf"
    # A right-to-left override would show "fdp.exe" as "exe.pdf".
    assert display_name("bai\u202efdp.exe") == "baifdp.exe"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("   ") == "file"
    long = display_name("a" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_check_file_count():
    check_file_count(4, 5)
    with pytest.raises(UploadRefused) as caught:
        check_file_count(5, 5)
    assert caught.value.code == "upload_too_many_files"
    assert caught.value.params == {"max_files": 5}


# --- metadata and clean copies --------------------------------------------------------------


def test_clean_docx(tmp_path):
    original = make_docx(tmp_path / "bai.docx")
    assert metadata_people(original, "docx") == [
        "Nguyễn Thị Hoa", "Lê Văn Bình", "Báo Nghệ An", "Trần Minh",
    ]
    dest = tmp_path / "clean"
    name, warning = clean_copy(original, "docx", dest)
    assert warning == ""
    assert name is not None and name.endswith(".docx") and listing(dest) == [name]
    clean = dest / name
    assert metadata_people(clean, "docx") == []
    assert sniff_path(clean) == "docx"
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(clean) as dst:
        assert src.namelist() == dst.namelist()
        document = dst.read("word/document.xml").decode()
        core = dst.read("docProps/core.xml").decode()
        app = dst.read("docProps/app.xml").decode()
    # The tracked deletion stays, by a neutral author.
    assert 'w:author="Author"' in document and "Lê Văn Bình" not in document
    assert "Nguyễn Thị Hoa" not in core and "Lê Văn Bình" not in core
    assert "Phụ nữ tham chính" not in core and "2024-05-01" not in core
    assert "Báo Nghệ An" not in app and "Trần Minh" not in app
    assert docx_text(clean) == docx_text(original)
    # The original is untouched.
    assert metadata_people(original, "docx")[0] == "Nguyễn Thị Hoa"


def test_clean_docx_without_review_marks_has_no_warning(tmp_path):
    document = DOCUMENT.replace(
        '<w:del w:id="1" w:author="Lê Văn Bình"><w:r><w:delText>bỏ đi</w:delText></w:r></w:del>',
        "",
    )
    original = make_docx(tmp_path / "bai.docx", document=document)
    name, warning = clean_copy(original, "docx", tmp_path / "clean")
    assert warning == ""
    assert metadata_people(tmp_path / "clean" / name, "docx") == []


def test_docx_comments_are_removed(tmp_path):
    original = make_docx(tmp_path / "bai.docx", extra={"word/comments.xml": COMMENTS})
    assert "Đỗ Quang" in metadata_people(original, "docx")
    name, warning = clean_copy(original, "docx", tmp_path / "clean")
    assert name is not None and warning == ""
    with zipfile.ZipFile(tmp_path / "clean" / name) as dst:
        assert "word/comments.xml" not in dst.namelist()
    assert metadata_people(tmp_path / "clean" / name, "docx") == []


def test_clean_pdf(tmp_path):
    original = tmp_path / "bai.pdf"
    original.write_bytes(pdf_bytes(comment_by="Phạm Thu", xmp=True))
    assert metadata_people(original, "pdf") == ["Nguyễn Thị Hoa", "Hoang Lan", "Phạm Thu"]
    name, warning = clean_copy(original, "pdf", tmp_path / "clean")
    assert warning == "" and name is not None and name.endswith(".pdf")
    clean = tmp_path / "clean" / name
    assert metadata_people(clean, "pdf") == []
    reader = PdfReader(clean)
    assert dict(reader.metadata) == {"/CreationDate": "D:20240501080000Z"}
    assert reader.xmp_metadata is None
    assert len(reader.pages) == 1
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert annots[0]["/Contents"] == "Xem lại" and "/T" not in annots[0]
    assert b"Hoa" not in clean.read_bytes()
    assert metadata_people(original, "pdf")[0] == "Nguyễn Thị Hoa"


def test_encrypted_pdf_gets_a_warning(tmp_path):
    original = tmp_path / "bai.pdf"
    original.write_bytes(pdf_bytes(password="bi-mat"))
    assert clean_copy(original, "pdf", tmp_path / "clean") == (None, WARN_ENCRYPTED)
    assert listing(tmp_path / "clean") == []


def test_pdf_with_empty_user_password_is_cleaned(tmp_path):
    original = tmp_path / "bai.pdf"
    original.write_bytes(pdf_bytes(password=""))
    assert metadata_people(original, "pdf") == ["Nguyễn Thị Hoa"]
    name, warning = clean_copy(original, "pdf", tmp_path / "clean")
    assert warning == "" and metadata_people(tmp_path / "clean" / name, "pdf") == []


def test_clean_jpeg_keeps_pixels_and_orientation(tmp_path):
    original = tmp_path / "anh.jpg"
    original.write_bytes(jpeg_bytes())
    assert metadata_people(original, "jpeg") == ["Tran Van Nam", "Trần Văn Nam", "Hoang Lan"]
    name, warning = clean_copy(original, "jpeg", tmp_path / "clean")
    assert warning == "" and name is not None and name.endswith(".jpg")
    clean = tmp_path / "clean" / name
    assert metadata_people(clean, "jpeg") == []
    data = clean.read_bytes()
    assert b"anh cua Nam" not in data and b"Hoang Lan" not in data
    with Image.open(original) as before, Image.open(clean) as after:
        assert after.format == "JPEG"
        assert dict(after.getexif()) == {0x0112: 6}
        assert "xmp" not in after.info and "comment" not in after.info
        assert after.info["icc_profile"] == SRGB
        # Not re-encoded: the decoded pixels are the same.
        assert after.tobytes() == before.tobytes()


@pytest.mark.parametrize(
    "mode, options",
    [
        ("RGB", {"progressive": True}),
        ("RGB", {"restart_marker_blocks": 4}),
        ("L", {}),
        ("CMYK", {}),  # needs the Adobe APP14 segment to keep its colours
    ],
)
def test_clean_jpeg_variants_decode_identically(tmp_path, mode, options):
    # Noise makes the entropy-coded data full of stuffed FF 00 bytes.
    img = Image.frombytes("RGB", (160, 120), os.urandom(160 * 120 * 3)).convert(mode)
    exif = img.getexif()
    exif[0x013B] = "Tran Van Nam"
    original = tmp_path / "anh.jpg"
    img.save(original, "JPEG", exif=exif, icc_profile=b"", **options)
    name, warning = clean_copy(original, "jpeg", tmp_path / "clean")
    assert warning == "" and name is not None
    clean = tmp_path / "clean" / name
    assert metadata_people(original, "jpeg") == ["Tran Van Nam"]
    assert metadata_people(clean, "jpeg") == []
    with Image.open(original) as before, Image.open(clean) as after:
        assert after.mode == before.mode
        assert after.tobytes() == before.tobytes()


def test_clean_jpeg_without_orientation_has_no_exif(tmp_path):
    original = tmp_path / "anh.jpg"
    original.write_bytes(jpeg_bytes(orientation=None) + b"trailing preview with Tran Van Nam")
    name, _ = clean_copy(original, "jpeg", tmp_path / "clean")
    clean = tmp_path / "clean" / name
    assert clean.read_bytes().endswith(b"\xff\xd9")
    with Image.open(clean) as img:
        assert "exif" not in img.info


def test_clean_png(tmp_path):
    original = tmp_path / "anh.png"
    original.write_bytes(png_bytes())
    assert metadata_people(original, "png") == ["Vu Thi Mai", "© Vũ Thị Mai"]
    name, warning = clean_copy(original, "png", tmp_path / "clean")
    assert warning == "" and name.endswith(".png")
    clean = tmp_path / "clean" / name
    assert metadata_people(clean, "png") == []
    with Image.open(original) as before, Image.open(clean) as after:
        assert after.tobytes() == before.tobytes()
        assert not getattr(after, "text", {})


def test_mp3_loses_its_id3_tag(tmp_path):
    path = tmp_path / "media.mp3"
    path.write_bytes(MP3_ID3)
    name, warning = clean_copy(path, "mp3", tmp_path / "clean")
    assert name is not None and warning == ""
    cleaned = (tmp_path / "clean" / name).read_bytes()
    assert not cleaned.startswith(b"ID3") and cleaned.startswith(b"\xff\xfb")


@pytest.mark.parametrize("kind, data", [("m4a", M4A), ("mp4", MP4)])
def test_media_without_a_movie_box_is_held(tmp_path, kind, data):
    path = tmp_path / f"media.{kind}"
    path.write_bytes(data)
    name, warning = clean_copy(path, kind, tmp_path / "clean")
    assert name is None and warning == WARN_DAMAGED and is_held(name, warning)
    assert listing(tmp_path / "clean") == []


@pytest.mark.parametrize(
    "kind, make",
    [
        ("pdf", lambda: b"%PDF-1.4\nthis is not really a pdf"),
        ("docx", lambda: b"PK\x03\x04" + bytes(64)),
        ("jpeg", lambda: jpeg_bytes()[:300]),
        ("jpeg", lambda: b"\xff\xd8\xff" + bytes(50)),
        ("png", lambda: png_bytes()[:60]),
        ("png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + bytes(30)),
    ],
)
def test_damaged_files_get_a_warning_never_an_error(tmp_path, kind, make):
    path = tmp_path / "damaged"
    path.write_bytes(make())
    assert clean_copy(path, kind, tmp_path / "clean") == (None, WARN_DAMAGED)
    assert listing(tmp_path / "clean") == []
    assert metadata_people(path, kind) == []


def test_clean_copy_refuses_an_unknown_kind(tmp_path):
    with pytest.raises(ValueError):
        clean_copy(tmp_path / "x", "exe", tmp_path)


def test_docx_text(tmp_path):
    docx = make_docx(tmp_path / "bai.docx")
    assert docx_text(docx) == (
        "Bình đẳng giới\ntrong chính trị\t2024\n30,26%\nHộp chữ\nCuối"
    )


def test_docx_text_of_a_damaged_or_oversized_document(tmp_path, monkeypatch):
    broken = make_docx(tmp_path / "broken.docx", document="<w:document><w:body>")
    with pytest.raises(ValueError):
        docx_text(broken)
    not_docx = tmp_path / "x.docx"
    not_docx.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValueError):
        docx_text(not_docx)
    monkeypatch.setattr(office, "MAX_DOCUMENT_XML_BYTES", 100)
    with pytest.raises(ValueError):
        docx_text(make_docx(tmp_path / "big.docx"))


def test_upload_refused_is_a_refusal_with_one_problem_on_the_files_field():
    refused = UploadRefused("too_large", {"limit_mb": 20})
    assert isinstance(refused, Refused)
    assert refused.problems == [Problem("upload_too_large", "files", {"limit_mb": 20})]
    assert (refused.code, refused.reason, refused.params) == \
        ("upload_too_large", "too_large", {"limit_mb": 20})
    assert "upload_too_large" in str(refused)
    assert UploadRefused("empty").params == {}
