"""Helpers of the campaign site tests: pictures and files made on the spot, posts and materials
made through the services, and the text of a response."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from PIL import Image

from contest import timeutil
from contest.campaign import materials as library
from contest.campaign import news
from contest.extensions import db

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 40 + b"%%EOF\n"


def png(width: int = 1600, height: int = 900, colour: str = "purple") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def make_post(title: str, *, status: str = "published", when=None, tmp_path=None,
              **fields) -> news.NewsPost:
    now = timeutil.utcnow()
    data = news.PostInput(title=title, kind=fields.pop("kind", "news"), status=status,
                          publish_at=when, **fields)
    post = news.save_post(None, data, None, actor_id=None, now=now - timedelta(days=30)
                          if when is not None and when < now else now, folder=tmp_path)
    db.session.commit()
    return post


def make_material(title: str, *, published: bool = True, folder, thumbs,
                  content: bytes = PDF, name: str = "to-roi.pdf", **fields):
    data = library.MaterialInput(title=title, category=fields.pop("category", "leaflet"),
                                 audience=fields.pop("audience", "public"), published=published,
                                 **fields)
    item = library.save_material(None, data, library.Upload(io.BytesIO(content), name), None,
                                 actor_id=None, folder=folder, thumb_folder=thumbs)
    db.session.commit()
    return item
