"""A fixture app (never deployed): imports pandas, which its pyproject.toml does not declare."""

import pandas
from connectkit import create_app
from dash import html

app = create_app(__name__, title="Undeclared", layout=html.P(str(pandas.__version__)))
