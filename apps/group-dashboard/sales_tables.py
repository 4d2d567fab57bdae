"""The tables, in SQLAlchemy Core: the order lines and their two rollups.

``sales`` holds one row per order line (what the CSV export reads).
``daily_sales`` and ``monthly_sales`` hold its sums per day (or month) and
region, country, product and channel: a few hundred thousand rows at most,
whatever the number of order lines, so a dashboard query reads whole months
from ``monthly_sales`` and only the cut months at the edges of its date
range from ``daily_sales``. Both rollups are rebuilt from ``sales`` by the
same two statements on DuckDB and PostgreSQL (``rebuild_rollups``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
DIMENSIONS = ("region", "country", "product", "channel")


def _dimension_columns() -> list[sa.Column[str]]:
    return [sa.Column(name, sa.String(64), nullable=False) for name in DIMENSIONS]


def _measure_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("revenue", sa.Double, nullable=False),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("orders", sa.BigInteger, nullable=False),
    ]


sales = sa.Table(
    "sales",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(),
    sa.Column("units", sa.Integer, nullable=False),
    sa.Column("revenue", sa.Double, nullable=False),
)
daily_sales = sa.Table(
    "daily_sales",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("month", sa.Date, nullable=False),
    *_dimension_columns(),
    *_measure_columns(),
)
monthly_sales = sa.Table(
    "monthly_sales",
    metadata,
    sa.Column("month", sa.Date, nullable=False),
    *_dimension_columns(),
    *_measure_columns(),
)


# PostgreSQL reads a date range through a B-tree; DuckDB's own per-block
# min/max (zone maps) already skip what is out of range, and an index there
# would only slow the load down.
def _postgres_index(table: sa.Table, column: str) -> None:
    create = f"CREATE INDEX {table.name}_by_{column} ON {table.name} ({column})"
    ddl = sa.DDL(create)  # type: ignore[no-untyped-call]
    sa.event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))


_postgres_index(sales, "day")
_postgres_index(daily_sales, "day")
_postgres_index(monthly_sales, "month")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def rebuild_rollups(connection: sa.Connection, first: date | None = None) -> None:
    """Recompute both rollups from ``sales``: all of them, or from ``first`` on
    (the months it touches included), in the caller's transaction."""
    month_of_day = sa.cast(sa.func.date_trunc("month", sales.c.day), sa.Date).label("month")
    dims = [sales.c[name] for name in DIMENSIONS]
    daily = sa.select(
        sales.c.day,
        month_of_day,
        *dims,
        sa.func.sum(sales.c.revenue).label("revenue"),
        sa.func.sum(sales.c.units).label("units"),
        sa.func.count().label("orders"),
    ).group_by(sales.c.day, *dims)
    rolled = [daily_sales.c[name] for name in DIMENSIONS]
    monthly = sa.select(
        daily_sales.c.month,
        *rolled,
        sa.func.sum(daily_sales.c.revenue),
        sa.func.sum(daily_sales.c.units),
        sa.func.sum(daily_sales.c.orders),
    ).group_by(daily_sales.c.month, *rolled)
    if first is not None:
        month = first_of_month(first)
        connection.execute(daily_sales.delete().where(daily_sales.c.day >= month))
        connection.execute(monthly_sales.delete().where(monthly_sales.c.month >= month))
        daily = daily.where(sales.c.day >= month)
        monthly = monthly.where(daily_sales.c.month >= month)
    else:
        connection.execute(daily_sales.delete())
        connection.execute(monthly_sales.delete())
    columns = ["day", "month", *DIMENSIONS, "revenue", "units", "orders"]
    connection.execute(daily_sales.insert().from_select(columns, daily))
    connection.execute(monthly_sales.insert().from_select(columns[1:], monthly))
