"""Unattended archiving: named jobs that upload what is new, verify it, apply retention,
record each run and notify; schedules for cron and systemd. The package's public face;
its modules import each other, never this one.
"""

from __future__ import annotations
