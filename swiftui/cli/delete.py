"""``swiftui rm`` and friends: filled in by the deletion work."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    return
