"""romanised terms of Lao and Khmer: the rows written before them get them

docs/design/DOMAIN.md, "Register search": Lao and Khmer words, which ICU cannot romanise,
are romanised by `domain.romanisation` from now on. The works and parties whose titles or
names hold Lao or Khmer letters get their search columns again from `search_columns` (as
every writer writes them); the lexicon's statement triggers add the new terms. Found by
one pass over the titles, a range of `seq` at a time.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from filing.domain.search_index import party_search_columns, search_columns

revision: str = "0009"
down_revision: str | None = "0008"

BACKFILL_BATCH = 50_000
# Lao, and Khmer with its symbols block.
_LAO_OR_KHMER = "[\u0e80-\u0eff\u1780-\u17ff\u19e0-\u19ff]"
_ARRAYS = (
    sa.bindparam("keys", type_=ARRAY(sa.Text())),
    sa.bindparam("words", type_=ARRAY(sa.Text())),
)


def _works() -> None:
    connection = op.get_bind()
    low, high = connection.execute(sa.text("SELECT min(seq), max(seq) FROM work")).one()
    if low is None:
        return
    for start in range(int(low), int(high) + 1, BACKFILL_BATCH):
        rows = connection.execute(
            sa.text(
                "SELECT id, title, alternate_titles, country_of_origin, kind FROM work "
                "WHERE seq >= :low AND seq < :high "
                "AND (title ~ :script OR array_to_string(alternate_titles, ' ') ~ :script)"
            ),
            {"low": start, "high": start + BACKFILL_BATCH, "script": _LAO_OR_KHMER},
        ).all()
        for work_id, title, alternates, country, kind in rows:
            columns = search_columns(title, list(alternates), country=country, kind=kind)
            connection.execute(
                sa.text(
                    "UPDATE work SET search_keys = :keys, search_words = :words WHERE id = :id"
                ).bindparams(*_ARRAYS),
                {"keys": columns["search_keys"], "words": columns["search_words"], "id": work_id},
            )


def _parties() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, name FROM party WHERE name ~ :script"), {"script": _LAO_OR_KHMER}
    ).all()
    for party_id, name in rows:
        connection.execute(
            sa.text("UPDATE party SET search_words = :words WHERE id = :id").bindparams(_ARRAYS[1]),
            {"words": party_search_columns(name)["search_words"], "id": party_id},
        )


def upgrade() -> None:
    _works()
    _parties()


def downgrade() -> None:
    """Nothing to undo: the extra terms match only romanised queries, and the lexicon is
    never shrunk (DOMAIN.md)."""
