"""`python -m rawdock ...`: the command line (see rawdock.cli)."""

from .cli import main

raise SystemExit(main())
