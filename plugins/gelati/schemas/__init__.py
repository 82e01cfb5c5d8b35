"""What the marketplace's routes accept and answer (and their part of openapi.yaml)."""
