"""WSGI entry point: ``gunicorn wsgi:app``."""
from ragem.app import create_app

app = create_app()
