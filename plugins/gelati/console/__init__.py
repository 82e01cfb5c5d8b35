"""GELATI's page in the staff console: the UMKM office verifies, rejects, suspends and reinstates shops."""
