"""GELATI - UMKM Marketplace (gelati): a RAGEM service plugin.

Kota Serang's small businesses open a shop, are verified by the UMKM office and sell to citizens:
search, cart, checkout with stock that never oversells, orders with a timeline, reviews.
"""
