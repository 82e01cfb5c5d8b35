"""What the Wi-Fi routes accept and answer (and their part of openapi.yaml)."""
