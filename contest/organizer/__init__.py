"""The organizer console's own screens: the dashboard, people and roles, units.

Each domain keeps its console pages in its own package (contest.quiz.console,
contest.writing.console, contest.judging.console) under the same /organizer/ URL prefix.
"""
