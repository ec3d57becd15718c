"""swiftui: segmented, resumable SLO uploads to OpenStack Swift, in a terminal."""

from __future__ import annotations

__version__ = "0.1.0"
