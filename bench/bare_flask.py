"""The yardstick of ``bench/quiz_flow.py``: a bare Flask app with one small page.

Served by gunicorn with the project's own ``gunicorn.conf.py``, in the same run as the real app,
so that the ratio of the two request rates says how much of the machine the application itself
spends, whatever else the machine is doing.
"""

from flask import Flask

app = Flask(__name__)

PAGE = "<!doctype html><html><head><title>bare</title></head><body>" + "<p>ok</p>" * 200 + \
    "</body></html>"


@app.get("/")
def index() -> str:
    return PAGE
