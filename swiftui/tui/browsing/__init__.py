"""Browsing: regions and their containers, a container's objects (its listing model apart).

Imports the feature screens it opens (upload form, deletion, orphans, details) and widgets;
none of them imports browsing. It hears about finished uploads by message.
"""
