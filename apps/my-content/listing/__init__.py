"""My content, in layers: ``rows`` (what one item shows), ``fetch`` (the Connect
API read with the visitor's client), ``explain`` (why there is no list, in plain
words), ``views`` (the Dash components)."""
