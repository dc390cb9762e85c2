"""register search: exact keys and terms of works and parties, the lexicon, its triggers

docs/design/DOMAIN.md, "Register search". Works and parties get their search columns
(domain.search_index, computed here for the rows already there), GIN indexes on them, and
`search_word`, the lexicon of every term, and `search_word_variant`, each term less one
character (how a misspelt term finds it), kept by statement triggers on `work` and `party`
whoever writes them (filing, the bulk import, COPY). The trigram index over `search_text`
goes: no search reads it any more.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from filing.domain.search_index import party_search_columns, search_columns

revision: str = "0006"
down_revision: str | None = "0005"

BACKFILL_BATCH = 2000
TERM_STATISTICS = 1000

# Terms in a stable order: concurrent writers insert shared words in the same order, so
# their ON CONFLICT waits never deadlock.
# A new word also gets its variants: itself and each of it less one character. A misspelt
# term one edit away from a word shares a variant with it (filing.register_search).
_LEXICON_FUNCTION = """
CREATE OR REPLACE FUNCTION search_word_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH added AS (
        INSERT INTO search_word (word)
        SELECT DISTINCT t.word COLLATE "C" FROM new_rows, unnest(new_rows.search_words) AS t (word)
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING word
    )
    INSERT INTO search_word_variant (variant, word)
    SELECT DISTINCT v.variant, a.word FROM added a, LATERAL (
        SELECT a.word
        UNION ALL
        SELECT left(a.word, i - 1) || substr(a.word, i + 1) FROM generate_series(1, length(a.word)) AS i
    ) AS v (variant)
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""
TRIGGERS = [
    (f"{table}_search_words_{event.lower()}", table, event)
    for table in ("work", "party")
    for event in ("INSERT", "UPDATE")
]


def _trigram_index(name: str, table: str, column: str) -> None:
    op.create_index(
        name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
    )


def _backfill() -> None:
    connection = op.get_bind()
    last = -1
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT seq, id, title, alternate_titles FROM work WHERE seq > :last "
                "ORDER BY seq LIMIT :batch"
            ),
            {"last": last, "batch": BACKFILL_BATCH},
        ).all()
        if not rows:
            break
        for seq, work_id, title, alternates in rows:
            # Without composite terms: 0008 adds them (and keeps them out of the lexicon).
            columns = search_columns(title, list(alternates), country=None, kind=None)
            connection.execute(
                sa.text(
                    "UPDATE work SET search_keys = :keys, search_words = :words WHERE id = :id"
                ).bindparams(
                    sa.bindparam("keys", type_=ARRAY(sa.Text())),
                    sa.bindparam("words", type_=ARRAY(sa.Text())),
                ),
                {"keys": columns["search_keys"], "words": columns["search_words"], "id": work_id},
            )
            last = seq
    for party_id, name in connection.execute(sa.text("SELECT id, name FROM party")).all():
        connection.execute(
            sa.text("UPDATE party SET search_words = :words WHERE id = :id").bindparams(
                sa.bindparam("words", type_=ARRAY(sa.Text()))
            ),
            {"words": party_search_columns(name)["search_words"], "id": party_id},
        )


def upgrade() -> None:
    empty = sa.text("'{}'")
    op.add_column(
        "work", sa.Column("search_keys", ARRAY(sa.Text()), nullable=False, server_default=empty)
    )
    op.add_column(
        "work", sa.Column("search_words", ARRAY(sa.Text()), nullable=False, server_default=empty)
    )
    op.add_column(
        "party", sa.Column("search_words", ARRAY(sa.Text()), nullable=False, server_default=empty)
    )
    op.create_table(
        "search_word",
        sa.Column("word", sa.Text(collation="C"), primary_key=True),
    )
    op.create_table(
        "search_word_variant",
        sa.Column("variant", sa.Text(collation="C"), primary_key=True),
        sa.Column("word", sa.Text(collation="C"), primary_key=True),
    )
    op.execute(_LEXICON_FUNCTION)
    for name, table, event in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION search_word_add()"
        )
    # ANALYZE keeps up to 10,000 most common terms (and keys) and their frequencies: the search chooses
    # each tier's access path by them (filing.register_search._path).
    op.execute(f"ALTER TABLE work ALTER COLUMN search_words SET STATISTICS {TERM_STATISTICS}")
    op.execute(f"ALTER TABLE work ALTER COLUMN search_keys SET STATISTICS {TERM_STATISTICS}")
    _backfill()
    op.drop_index("ix_work_search_text_trgm", table_name="work", if_exists=True)
    op.create_index("ix_work_search_keys", "work", ["search_keys"], postgresql_using="gin")
    op.create_index("ix_work_search_words", "work", ["search_words"], postgresql_using="gin")
    op.create_index("ix_work_country_seq", "work", ["country_of_origin", "seq"])
    op.create_index("ix_party_search_words", "party", ["search_words"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_party_search_words", table_name="party")
    op.drop_index("ix_work_country_seq", table_name="work")
    op.drop_index("ix_work_search_words", table_name="work")
    op.drop_index("ix_work_search_keys", table_name="work")
    _trigram_index("ix_work_search_text_trgm", "work", "search_text")
    for name, table, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS search_word_add()")
    op.drop_table("search_word_variant")
    op.drop_table("search_word")
    op.drop_column("party", "search_words")
    op.drop_column("work", "search_words")
    op.drop_column("work", "search_keys")
