"""Uploads: the app-level queue, the upload form, the live view, interrupted uploads.

Imports details (an uploaded object's verified details) and widgets; the browsing screens
import the form, the app imports the queue and the screens. Nothing here imports browsing.
"""
