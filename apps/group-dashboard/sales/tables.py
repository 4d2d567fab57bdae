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


def _dense_daily(since: date | None) -> sa.Select[Any]:
    """Sums per day and dimensions, with a zero row for every (day, combination)
    missing: the rollups then hold as many rows at 100k order lines as at 10M,
    so a query's cost does not depend on how many there are. Ordered by day,
    which lets DuckDB skip whole blocks on a date range."""
    dims = [sales.c[name] for name in DIMENSIONS]
    sums = sa.select(
        sales.c.day,
        *dims,
        sa.func.sum(sales.c.revenue).label("revenue"),
        sa.func.sum(sales.c.units).label("units"),
        sa.func.count().label("orders"),
    ).group_by(sales.c.day, *dims)
    if since is not None:
        sums = sums.where(sales.c.day >= since)
    found = sums.subquery("found")
    days = sa.select(found.c.day).distinct().subquery("days")
    combos = sa.select(*dims).distinct().subquery("combos")
    grid = days.join(combos, sa.true()).outerjoin(
        found,
        sa.and_(found.c.day == days.c.day, *(found.c[n] == combos.c[n] for n in DIMENSIONS)),
    )
    return (
        sa.select(
            days.c.day,
            sa.cast(sa.func.date_trunc("month", days.c.day), sa.Date),
            *(combos.c[name] for name in DIMENSIONS),
            *(sa.func.coalesce(found.c[m], 0) for m in ("revenue", "units", "orders")),
        )
        .select_from(grid)
        .order_by(days.c.day)
    )


def rebuild_rollups(connection: sa.Connection, first: date | None = None) -> None:
    """Recompute both rollups from ``sales``: all of them, or from ``first`` on
    (the months it touches included), in the caller's transaction."""
    since = first_of_month(first) if first is not None else None
    rolled = [daily_sales.c[name] for name in DIMENSIONS]
    monthly = (
        sa.select(
            daily_sales.c.month,
            *rolled,
            sa.func.sum(daily_sales.c.revenue),
            sa.func.sum(daily_sales.c.units),
            sa.func.sum(daily_sales.c.orders),
        )
        .group_by(daily_sales.c.month, *rolled)
        .order_by(daily_sales.c.month)
    )
    if since is not None:
        connection.execute(daily_sales.delete().where(daily_sales.c.day >= since))
        connection.execute(monthly_sales.delete().where(monthly_sales.c.month >= since))
        monthly = monthly.where(daily_sales.c.month >= since)
    else:
        connection.execute(daily_sales.delete())
        connection.execute(monthly_sales.delete())
    columns = ["day", "month", *DIMENSIONS, "revenue", "units", "orders"]
    connection.execute(daily_sales.insert().from_select(columns, _dense_daily(since)))
    connection.execute(monthly_sales.insert().from_select(columns[1:], monthly))
