"""GELATI - UMKM Marketplace (gelati): a RAGEM service plugin."""
