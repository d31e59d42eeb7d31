"""Registry pages store what was read (text, zones) and no matcher fingerprints: the leak matcher derives and
caches those under its own parameters (issue 19). Old rows keep their text; their zones start empty.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE pages DROP COLUMN shingles")
    op.execute("ALTER TABLE pages DROP COLUMN boiler")
    op.execute("ALTER TABLE pages ADD COLUMN boiler TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE pages ADD COLUMN title TEXT NOT NULL DEFAULT ''")


def downgrade() -> None:
    op.execute("ALTER TABLE pages DROP COLUMN title")
    op.execute("ALTER TABLE pages DROP COLUMN boiler")
    op.execute("ALTER TABLE pages ADD COLUMN boiler BYTEA NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE pages ADD COLUMN shingles BYTEA NOT NULL DEFAULT ''")
