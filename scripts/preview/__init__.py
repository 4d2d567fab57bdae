"""Pull-request previews (``make preview``, ``make preview-cleanup``).

``cli`` (the flow), ``comment`` (the record in the pull request comment),
``github`` (reading and writing that comment).
"""
