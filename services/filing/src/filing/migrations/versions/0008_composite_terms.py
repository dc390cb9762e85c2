"""composite terms: each work term also prefixed with the work's country and kind

docs/design/DOMAIN.md, "Register search". A work's `search_words` gets, for each of its
terms, `c:<country>:<term>` and `k:<kind>:<term>` (domain.search_index.search_columns), so a
filtered search looks up exactly the filtered matches. The lexicon's trigger function skips
them (real terms never hold ':'): they stay out of `search_word` and typo correction. The
rows already there are filled from their own columns, set-based, a range of `seq` at a time.

Revision ID: 0008
Revises: 0007
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"

BACKFILL_BATCH = 50_000


def _migration_0006() -> ModuleType:
    path = Path(__file__).with_name("0006_register_search.py")
    spec = importlib.util.spec_from_file_location("filing_migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# 0006's lexicon function, its terms' source narrowed to real terms.
_TERMS = "FROM new_rows, unnest(new_rows.search_words) AS t (word)"
_REAL_TERMS = f"{_TERMS} WHERE strpos(t.word, ':') = 0"

# The real terms of the row (without any composite term already there), and each of them
# prefixed with the row's country of origin and with its kind; sorted as Python sorts
# (code points: COLLATE "C"), as `search_columns` writes them.
_WITH_COMPOSITES = """
UPDATE work w SET search_words = ARRAY(
    SELECT s.term FROM (
        SELECT t.word FROM unnest(w.search_words) AS t (word) WHERE strpos(t.word, ':') = 0
    ) AS r (word), LATERAL (VALUES
        (r.word), ('c:' || w.country_of_origin || ':' || r.word), ('k:' || w.kind || ':' || r.word)
    ) AS s (term)
    ORDER BY s.term COLLATE "C"
)
WHERE w.seq >= :low AND w.seq < :high AND cardinality(w.search_words) > 0
"""
_WITHOUT_COMPOSITES = """
UPDATE work w SET search_words = ARRAY(
    SELECT t.word FROM unnest(w.search_words) AS t (word) WHERE strpos(t.word, ':') = 0
    ORDER BY t.word COLLATE "C"
)
WHERE w.seq >= :low AND w.seq < :high AND cardinality(w.search_words) > 0
"""


def _rewrite(statement: str) -> None:
    connection = op.get_bind()
    low, high = connection.execute(sa.text("SELECT min(seq), max(seq) FROM work")).one()
    if low is None:
        return
    for start in range(int(low), int(high) + 1, BACKFILL_BATCH):
        connection.execute(sa.text(statement), {"low": start, "high": start + BACKFILL_BATCH})


def upgrade() -> None:
    lexicon = _migration_0006()._LEXICON_FUNCTION
    assert _TERMS in lexicon
    op.execute(lexicon.replace(_TERMS, _REAL_TERMS))
    _rewrite(_WITH_COMPOSITES)


def downgrade() -> None:
    _rewrite(_WITHOUT_COMPOSITES)
    op.execute(_migration_0006()._LEXICON_FUNCTION)
