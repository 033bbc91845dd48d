"""criteria stage."""
