"""RABEG - Citizen Complaints (rabeg): a RAGEM service plugin."""
