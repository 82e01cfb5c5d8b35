"""The baseline for bench/run.py: a bare Flask app answering a small JSON, nothing else.

Served by gunicorn exactly as RAGEM is (``bench.bare_app:app``), so the difference between the two
figures is what RAGEM's own request path costs.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    """A JSON body about the size of a short catalog entry."""
    return {"status": "ok", "service": "bare", "items": [{"slug": "contoh", "name": "Contoh"}]}
