"""Connect's documented rules, one module each, shared by the runner, the
stand-in and the deploy tool so that both sides of a test apply the same rule:

- ``limits``: content fields (access types, title, description, timeouts) and
  the environment variable names Connect refuses;
- ``vanity``: which vanity paths Connect takes;
- ``thumbnails``: which images Connect takes as a content thumbnail.
"""
