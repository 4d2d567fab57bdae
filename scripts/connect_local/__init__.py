"""connect-local: a loopback stand-in for Posit Connect, for development and tests.

The real ``rsconnect deploy dash`` and posit-sdk talk to it over HTTP; it
builds each uploaded bundle into its own virtualenv with uv, runs the app
under gunicorn and serves it at ``/content/<guid>/`` behind a proxy that
injects ``RStudio-Connect-Credentials`` and enforces access like Connect.
Never a production server: see the README section "A local Connect stand-in".

Modules, one concept each: ``store`` (state on disk), ``directory`` (users,
roles and groups), ``access`` (who may view, see and change content),
``content_settings`` (Connect's limits and the server's policy), ``errors``
(Connect's error codes), ``tasks`` (task logs), ``faults`` (fault injection),
``builder`` (bundle -> virtualenv), ``app_processes`` (app processes),
``deployer`` (deploy tasks), ``api`` (the Connect API, a package with one
module per resource), ``sessions`` (the login cookie), ``proxy`` (content
requests), ``pages`` (landing and login pages), ``html_frame`` (their HTML
frame), ``options`` (the command line), ``server`` (wiring), ``launch``
(start it in its own process, for tests and the bench). More in README.md here.
"""
