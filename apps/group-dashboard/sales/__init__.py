"""The dashboard's sales layer, one module per job, from the rows up.

- ``settings``: the app's environment, read once (groups, scopes, database).
- ``scope``: regions and countries, and which regions a group may see.
- ``tables``: the schema (order lines and their rollups), SQLAlchemy Core.
- ``store``: where the rows live (DuckDB file or PostgreSQL), engines, pools.
- ``demo_data`` and ``load``: the synthetic demo rows and ``python -m sales.load``.
- ``filters``: the plain values a visitor picks and the answers' shapes.
- ``queries``: the SQL, the visitor's scope bound in every query, the CSV export.
- ``ttl_cache``: answers kept for a short time, keyed by scope and filters.
- ``views``: Dash components drawn from query answers.

``app.py`` (beside this package) wires them to the page, the gate and the
callback. Nothing here reads a request: the scope is passed in.
"""
