"""``python -m helpers.bench``: see :mod:`helpers.bench`."""

import sys

from helpers.bench import main

sys.exit(main())
