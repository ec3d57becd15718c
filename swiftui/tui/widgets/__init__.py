"""What every feature package shares: the listing table, base screens, dialogs.

Imported by the feature packages (browsing, uploads, deletion, details, connect); imports
none of them.
"""
