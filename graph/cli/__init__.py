"""The command line. May import: every other layer."""
