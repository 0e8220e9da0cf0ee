"""credit for prior learning: colleges, college courses, articulation rules

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cpl_colleges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "cpl_courses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("units", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["college_id"], ["cpl_colleges.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("college_id", "subject", "number", name="uq_cpl_courses_college_code"),
    )
    with op.batch_alter_table("cpl_courses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cpl_courses_college_id"), ["college_id"], unique=False)

    op.create_table(
        "cpl_articulations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("rule_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ace_id", sa.String(length=40), nullable=True),
        sa.Column("ace_version", sa.String(length=10), nullable=True),
        sa.Column("exhibit_start", sa.Date(), nullable=True),
        sa.Column("exhibit_end", sa.Date(), nullable=True),
        sa.Column("version_date", sa.Date(), nullable=True),
        sa.Column("map_exhibit_id", sa.String(length=60), nullable=True),
        sa.Column("registry_ctid", sa.String(length=100), nullable=True),  # "ctid" is a PostgreSQL system column
        sa.Column("issuer_name", sa.String(length=300), nullable=True),
        sa.Column("credential_title", sa.String(length=500), nullable=True),
        sa.Column("match_key", sa.String(length=1000), nullable=True),
        sa.Column("min_pay_grade", sa.String(length=10), nullable=True),
        sa.Column("min_skill_level", sa.String(length=10), nullable=True),
        sa.Column("recency_years", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("credit_recommendation", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["cpl_courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "rule_key", name="uq_cpl_articulations_course_rule"),
    )
    with op.batch_alter_table("cpl_articulations", schema=None) as batch_op:
        batch_op.create_index("ix_cpl_articulations_ace_id", ["ace_id"], unique=False)
        batch_op.create_index("ix_cpl_articulations_registry_ctid", ["registry_ctid"], unique=False)
        batch_op.create_index("ix_cpl_articulations_map_exhibit_id", ["map_exhibit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cpl_articulations_course_id"), ["course_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cpl_articulations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cpl_articulations_course_id"))
        batch_op.drop_index("ix_cpl_articulations_map_exhibit_id")
        batch_op.drop_index("ix_cpl_articulations_registry_ctid")
        batch_op.drop_index("ix_cpl_articulations_ace_id")
    op.drop_table("cpl_articulations")
    with op.batch_alter_table("cpl_courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cpl_courses_college_id"))
    op.drop_table("cpl_courses")
    op.drop_table("cpl_colleges")
