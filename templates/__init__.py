"""The Stan text of brmspy: the program layout, helper functions and code snippets (read by brmspy.core.templates)."""
