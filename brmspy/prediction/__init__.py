"""prediction stage."""
