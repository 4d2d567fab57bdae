"""The module Dash imports through connectkit's ``dash_hooks`` entry point.

Importing it registers connectkit's hooks; they attach nothing to an app
unless asked (``connectkit.plugin``: ``CONNECTKIT_PLUGIN=true``, or
``create_app``).
"""

from connectkit.plugin import register

register()
