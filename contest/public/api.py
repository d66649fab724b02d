"""The public JSON API under /api/ for news sites to embed."""

from contest.public.views import bp  # noqa: F401
