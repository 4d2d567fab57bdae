"""Batch deploy to Posit Connect: ``make deploy-all`` / ``make deploy APP=name``.

One concept per module: ``settings`` (per-app [tool.monorepo.deploy]),
``target`` (which server, the key kept out of every output), ``retry``
(transient failures), ``api`` (posit-sdk client), ``content`` (find or create
by name, access, groups, process settings), ``publish`` (the rsconnect CLI),
``verify`` (the content URL answers), ``report`` (table and JSON), ``cli``.
"""
