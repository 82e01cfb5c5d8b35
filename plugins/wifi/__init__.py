"""Taman Digital Public Wi-Fi (wifi): a RAGEM service plugin."""
