"""Families registered by this module are added in issue 5 (see brmspy/families/basic.py for the pattern)."""
