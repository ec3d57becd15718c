"""Deletion: plan, confirm and delete with progress; orphaned segments; marking by age.

Opened by the browsing screens; imports only widgets.
"""
