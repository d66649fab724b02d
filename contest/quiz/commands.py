"""``flask --app wsgi quiz ...``: round maintenance from scripts and cron."""

from flask.cli import AppGroup

quiz_cli = AppGroup("quiz", help="Quiz rounds and attempts.")
