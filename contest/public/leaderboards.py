"""Public quiz pages: rounds and rules, leaderboards, prize lists, unit participation."""

from contest.public.views import bp  # noqa: F401
