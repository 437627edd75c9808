"""A bare Flask route, served by ``benchmarks.pages`` with the same gunicorn settings as the app:
the ceiling a page's throughput is compared with."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "ok"
