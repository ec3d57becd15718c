"""A real Keystone + Swift stack on loopback, for demos and for the test suite."""

from __future__ import annotations

from swiftui.sandbox.stack import Sandbox
from swiftui.sandbox.state import REGIONS, SandboxError, SandboxState

__all__ = ["REGIONS", "Sandbox", "SandboxError", "SandboxState"]
