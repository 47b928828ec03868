"""Entry point of ``python -m recommender``."""

import sys

from recommender.cli import main

sys.exit(main())
