"""Retention: `purged` records the SHA-256 of a post's text and author once they are stripped.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""CREATE TABLE purged (key TEXT PRIMARY KEY, text_sha256 TEXT NOT NULL, author_sha256 TEXT NOT NULL,
                                       purged_at TEXT NOT NULL)""")


def downgrade() -> None:
    op.execute("DROP TABLE purged")
