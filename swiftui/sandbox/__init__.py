"""A real Keystone + Swift stack on loopback, for demos and for the test suite."""

from __future__ import annotations

from swiftui.sandbox.stack import REGIONS, Sandbox, SandboxError

__all__ = ["REGIONS", "Sandbox", "SandboxError"]
