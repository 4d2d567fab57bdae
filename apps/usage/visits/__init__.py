"""The usage app's layers, one module each (each imports only those above it):

- ``summary``: pure counting over visit records (per app and period, unique
  visitors, the most active visitors, apps nobody opened), no I/O;
- ``settings``: the scope (``USAGE_TAG``, ``USAGE_OWNER``) read from the environment;
- ``fetch``: the Connect API read with the visitor's client (content in scope,
  visits cursor-paged, visitor names), and the role rule's plain sentence;
- ``filters``: the page's filters, checked by type before anything uses them;
- ``views``: plotly figure dicts, tables, the CSV.
"""
