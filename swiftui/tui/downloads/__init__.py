"""Downloads: the destination picker, the app-level queue, the live view, interrupted
downloads.

Imports widgets only; the browsing screens open the picker, the app imports the queue and
the screens. Nothing here imports browsing or uploads: what both directions share (the
transfer queue, model, rows and live view, the local folder pane) lives in widgets.
"""
