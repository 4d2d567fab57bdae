"""Batch deploy to Posit Connect: ``make deploy-all`` / ``make deploy APP=name``.

One concept per module: ``settings`` (per-app [tool.monorepo.deploy], checked
locally), ``target`` (which server, the key kept out of every output),
``retry`` (transient failures), ``api`` (posit-sdk client), ``preflight``
(once per server: key, version, Python versions), ``groups`` (exact group
names), ``content`` (the deployer's own content, found by name or created),
``changes`` (settings as writes, before the upload; no drift), ``unchanged``
(the bundle against the active one), ``publish`` (the rsconnect CLI),
``verify`` (the content and vanity URLs answer), ``pipeline`` (one app's
steps), ``progress`` (screen lines and log files), ``report`` (table, totals,
JSON), ``cli``.
"""
