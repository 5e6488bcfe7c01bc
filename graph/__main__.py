"""``python -m graph``: the same command line as ``neutropenia-kg``."""

import sys

from .cli.cli import main

if __name__ == "__main__":
    sys.exit(main())
