"""frame stage."""
