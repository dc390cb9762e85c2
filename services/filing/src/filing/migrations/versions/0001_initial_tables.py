"""initial tables: parties, works, rights holders, history, number counters, outbox

Revision ID: 0001
Revises: 
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from runtime import migration_ops
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None


def upgrade() -> None:
    # Trigram indexes serve the register's text search; infra creates the extension as
    # superuser, and since PostgreSQL 13 a database owner may create it too (trusted).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('number_counter',
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year')
    )
    migration_ops.create_outbox_table()
    op.create_table('party',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('ipi_name_number', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('isni', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('work',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('filing_number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('registration_number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('alternate_titles', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('iswc', sqlmodel.sql.sqltypes.AutoString(length=15), nullable=True),
    sa.Column('isrc', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('isbn', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
    sa.Column('country_of_origin', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('filed_by', sa.Uuid(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title_key', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('filing_number'),
    sa.UniqueConstraint('registration_number'),
    sa.UniqueConstraint('seq')
    )
    op.create_index(op.f('ix_work_isbn'), 'work', ['isbn'], unique=False)
    op.create_index(op.f('ix_work_isrc'), 'work', ['isrc'], unique=False)
    op.create_index(op.f('ix_work_iswc'), 'work', ['iswc'], unique=False)
    op.create_index('ix_work_kind_seq', 'work', ['kind', 'seq'], unique=False)
    op.create_index('ix_work_search_text_trgm', 'work', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_index('ix_work_status_seq', 'work', ['status', 'seq'], unique=False)
    op.create_index('ix_work_title_key', 'work', ['title_key'], unique=False)
    op.create_index('ux_work_isbn_holding', 'work', ['isbn'], unique=True, postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.create_index('ux_work_isrc_holding', 'work', ['isrc'], unique=True, postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.create_index('ux_work_iswc_holding', 'work', ['iswc'], unique=True, postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.create_table('rights_holder',
    sa.Column('work_id', sa.Uuid(), nullable=False),
    sa.Column('party_id', sa.Uuid(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('share', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('work_id', 'party_id', 'role')
    )
    op.create_index('ix_rights_holder_party_work', 'rights_holder', ['party_id', 'work_id'], unique=False)
    op.create_table('work_history',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('work_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_work_history_work_id', 'work_history', ['work_id', 'id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('ix_work_history_work_id', table_name='work_history')
    op.drop_table('work_history')
    op.drop_index('ix_rights_holder_party_work', table_name='rights_holder')
    op.drop_table('rights_holder')
    op.drop_index('ux_work_iswc_holding', table_name='work', postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.drop_index('ux_work_isrc_holding', table_name='work', postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.drop_index('ux_work_isbn_holding', table_name='work', postgresql_where=sa.text("status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"))
    op.drop_index('ix_work_title_key', table_name='work')
    op.drop_index('ix_work_status_seq', table_name='work')
    op.drop_index('ix_work_search_text_trgm', table_name='work', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.drop_index('ix_work_kind_seq', table_name='work')
    op.drop_index(op.f('ix_work_iswc'), table_name='work')
    op.drop_index(op.f('ix_work_isrc'), table_name='work')
    op.drop_index(op.f('ix_work_isbn'), table_name='work')
    op.drop_table('work')
    op.drop_table('party')
    migration_ops.drop_outbox_table()
    op.drop_table('number_counter')
    # ### end Alembic commands ###
