"""RAGEM: the backend of Kota Serang's public-service super-app."""

__version__ = "0.1.0"
