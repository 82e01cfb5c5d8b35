"""112 Emergency Service (darurat112): a RAGEM service plugin."""
