#!/usr/bin/env python
"""Django's command-line utility; `dudao` (dudao.cli) is the same with friendlier errors."""

import sys

if __name__ == "__main__":
    from dudao.cli import main

    sys.exit(main(sys.argv))
