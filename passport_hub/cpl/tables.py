"""Articulation tables: colleges, their courses, and the rules that grant a course for a credential.

They share the store's declarative ``Base`` so Alembic sees them (migration 0002).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..store.tables import Base, utcnow


class CollegeRow(Base):
    __tablename__ = "cpl_colleges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    #: case/punctuation-insensitive form of the name (``normalize_text``): one college per key
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CollegeCourseRow(Base):
    __tablename__ = "cpl_courses"
    __table_args__ = (UniqueConstraint("college_id", "subject", "number", name="uq_cpl_courses_college_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("cpl_colleges.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(300))
    units: Mapped[float | None] = mapped_column(Float)


class ArticulationRow(Base):
    """One rule: this college course is granted for this credential (under these conditions)."""

    __tablename__ = "cpl_articulations"
    __table_args__ = (
        UniqueConstraint("course_id", "rule_key", name="uq_cpl_articulations_course_rule"),
        Index("ix_cpl_articulations_ace_id", "ace_id"),
        Index("ix_cpl_articulations_registry_ctid", "registry_ctid"),
        Index("ix_cpl_articulations_map_exhibit_id", "map_exhibit_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("cpl_courses.id", ondelete="CASCADE"), index=True)
    #: hash of the credential + conditions: re-importing the same rule updates it instead of adding one
    rule_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # ace_course | ace_occupation | map_exhibit | ctid | certification
    ace_id: Mapped[str | None] = mapped_column(String(40))  # without version: AR-2201-0399, NER-HM
    ace_version: Mapped[str | None] = mapped_column(String(10))  # V01 (course), 005 (occupation)
    exhibit_start: Mapped[date | None] = mapped_column(Date)
    exhibit_end: Mapped[date | None] = mapped_column(Date)
    #: MAP "Team Reviewed Date": the exhibit-version key when no version or exhibit dates are given
    version_date: Mapped[date | None] = mapped_column(Date)
    map_exhibit_id: Mapped[str | None] = mapped_column(String(60))
    #: the column is ``registry_ctid``: ``ctid`` is a PostgreSQL system column
    ctid: Mapped[str | None] = mapped_column("registry_ctid", String(100))
    issuer_name: Mapped[str | None] = mapped_column(String(300))
    credential_title: Mapped[str | None] = mapped_column(String(500))
    match_key: Mapped[str | None] = mapped_column(String(1000))
    min_pay_grade: Mapped[str | None] = mapped_column(String(10))
    min_skill_level: Mapped[str | None] = mapped_column(String(10))
    recency_years: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")
    credit_recommendation: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # map | hub
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
