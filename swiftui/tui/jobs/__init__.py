"""Jobs: the Jobs screen (each job's last run, run now, edit, history), the edit form with
its plan preview, and a job's run as an entry of the upload queue.

Imports uploads (the queue, and the live view a run is shown in) and widgets; the app
imports it, and the browsing screens reach it through the app's ``jobs`` action (``J``).
"""
