"""``python -m resolutionpricing``: the command line."""

import sys

from resolutionpricing._cli import main

sys.exit(main())
