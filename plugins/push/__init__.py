"""Push gateway (push): notifications to the RAGEM app through Firebase Cloud Messaging's HTTP v1
API, and the devices the app registers for them. Never a one-time code."""
