"""``swiftui upload``: filled in by the upload engine work."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    return
