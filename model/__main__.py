"""`python -m model`: the command line."""

import sys

from model.cli import main

sys.exit(main())
