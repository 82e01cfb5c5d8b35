"""What SIKONDANG's routes accept and answer, one module per resource (``api/`` mirrors it)."""
