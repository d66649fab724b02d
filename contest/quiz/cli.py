"""``flask --app wsgi questions import|export``: the question bank from scripts."""

from flask.cli import AppGroup

questions_cli = AppGroup("questions", help="Import and export the question bank.")
