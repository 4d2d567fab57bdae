"""The report builder's layers, one module each, from the data up.

- ``settings``: the app's environment, read once (groups, scopes, job pace,
  the job manager: embedded, or Celery when ``REDIS_URL`` is set).
- ``history``: the monthly sales history the forecast starts from (a small
  deterministic generator of its own: no database to set up).
- ``forecast``: the long computation, a Monte Carlo forecast per region and
  product line, in steps that report progress; pure, callable directly.
- ``managers``: where it runs: Dash's background-callback managers, with the
  outcomes Dash does not give (cancelled, lost) and a result slot per job;
  ``owners``: each job answers only the visitor who started it;
  ``dash_job_fn``: the one seam into Dash's private code, with the Dash
  version it was written for.
- ``views``: the page and what it shows for each outcome.

``app.py`` (beside this package) wires them to the page, the gate and the
background callback. The visitor is read in the job (``connectkit.job_visitor``).
"""
