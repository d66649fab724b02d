"""What gunicorn and ``flask --app wsgi`` load."""

from contest import create_app

app = create_app()
