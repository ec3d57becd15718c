"""Allow ``python -m swiftui``."""

from __future__ import annotations

from swiftui.cli import main

raise SystemExit(main())
