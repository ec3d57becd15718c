"""Delete archives completely and safely: plan first (:mod:`.plan`), show the plan
(:mod:`.wording`), then execute it (:mod:`.execute`). The modules of this package import
each other, never this one."""

from __future__ import annotations

from swiftui.deletion.execute import (
    DeletionFailure,
    DeletionProgress,
    DeletionSummary,
    ProgressCallback,
    execute_deletion,
)
from swiftui.deletion.plan import (
    DeletionPlan,
    KeptObject,
    PlannedDeletion,
    StoredObject,
    plan_deletion,
    plan_segments_deletion,
)
from swiftui.deletion.wording import (
    deleted_words,
    describe_item,
    describe_plan,
    describe_summary,
    plan_total,
)

__all__ = [
    "DeletionFailure",
    "DeletionPlan",
    "DeletionProgress",
    "DeletionSummary",
    "KeptObject",
    "PlannedDeletion",
    "ProgressCallback",
    "StoredObject",
    "deleted_words",
    "describe_item",
    "describe_plan",
    "describe_summary",
    "execute_deletion",
    "plan_deletion",
    "plan_segments_deletion",
    "plan_total",
]
