"""Articulation rules in the store: colleges, their courses, the rules (one transaction per import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..errors import MalformedError, NotFoundError
from ..store import Store, normalize_text
from .rules import Rule
from .tables import ArticulationRow, CollegeCourseRow, CollegeRow


@dataclass
class ImportResult:
    college: str
    format: str
    rules_new: int = 0
    rules_updated: int = 0
    rules_unchanged: int = 0  # imported again with the same stored values
    courses_new: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"college": self.college, "format": self.format, "rules_new": self.rules_new,
                "rules_updated": self.rules_updated, "rules_unchanged": self.rules_unchanged,
                "courses_new": self.courses_new, "rejected": self.rejected}


class NothingImportedError(MalformedError):
    """A file from which no rule would be stored: every row was rejected (``rejected`` lists
    them, row and reason), or it has no rows. Nothing was written."""

    def __init__(self, name: str, college: str, rejected: list[dict]):
        self.rejected = list(rejected)
        if rejected:
            self.summary = (f"{name}: nothing imported for {college}: every row was rejected "
                            f"({len(rejected)} row(s))")
            lines = "".join(f"\n  row {r['row']} rejected: {r['reason']}" for r in rejected)
        else:
            self.summary, lines = f"{name}: nothing imported for {college}: the file has no articulation rows", ""
        super().__init__(self.summary + lines)


_RULE_COLUMNS = ("kind", "ace_id", "ace_version", "exhibit_start", "exhibit_end", "version_date", "map_exhibit_id",
                 "ctid", "issuer_name", "credential_title", "min_pay_grade", "min_skill_level", "recency_years",
                 "status", "credit_recommendation", "notes", "source")
#: what re-importing a rule updates; the rest is its identity (rule_key) or, like the credential's
#: display names and the file it came from, stays as first imported
_UPDATABLE_COLUMNS = ("status", "notes", "credit_recommendation")


class ArticulationRepo:
    def __init__(self, store: Store):
        self.store = store

    # -- colleges --------------------------------------------------------
    @staticmethod
    def _college_key(name: str) -> str:
        key = normalize_text(name)[:200]
        if not key:
            raise NotFoundError("a college name is needed")
        return key

    def _college_id(self, conn: Connection, name: str) -> int:
        """The college's id, the college added if it is new."""
        key = self._college_key(name)
        found = conn.scalar(select(CollegeRow.id).where(CollegeRow.name_key == key))
        if found is None:
            found = conn.execute(insert(CollegeRow).values(name=" ".join(name.split())[:200], name_key=key)
                                 ).inserted_primary_key[0]
        return found

    def college(self, name: str) -> tuple[int, str]:
        """The college's id and stored name; :class:`NotFoundError` for one with no rules (the
        message names no other college: holders may read it, the list of colleges is the admin's)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(CollegeRow.id, CollegeRow.name).where(
                CollegeRow.name_key == normalize_text(name)[:200])).first()
        if row is None:
            raise NotFoundError(f"no articulations for college {name!r}")
        return row[0], row[1]

    def colleges(self) -> list[dict]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(CollegeRow.name, func.count(ArticulationRow.id))
                .select_from(CollegeRow)
                .outerjoin(CollegeCourseRow, CollegeCourseRow.college_id == CollegeRow.id)
                .outerjoin(ArticulationRow, ArticulationRow.course_id == CollegeCourseRow.id)
                .group_by(CollegeRow.id, CollegeRow.name).order_by(CollegeRow.name)).all()
        return [{"name": name, "articulations": count} for name, count in rows]

    # -- import ----------------------------------------------------------
    def save(self, college: str, rules: list[Rule], *, format: str = "hub",
             rejected: list[dict] | None = None) -> ImportResult:
        """Store rules for a college in one transaction. The same rule again (same course,
        credential and conditions) updates its status, notes and credit text, and counts as
        updated only when one of them changed (else unchanged); courses gain
        title/units when the file gives them and keep them when it does not. With no rules
        (every row rejected) nothing is written: no new, empty college."""
        result = ImportResult(college=college, format=format, rejected=list(rejected or []))
        self._college_key(college)  # a name that is no name fails whether or not a row was read
        if not rules:
            return result
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            college_id = self._college_id(conn, college)
            courses: dict[tuple[str, str], int] = {}
            for rule in rules:
                code = (rule.subject[:40], rule.number[:40])
                course_id = courses.get(code)
                if course_id is None:
                    course_id = conn.scalar(select(CollegeCourseRow.id).where(
                        CollegeCourseRow.college_id == college_id, CollegeCourseRow.subject == code[0],
                        CollegeCourseRow.number == code[1]))
                    if course_id is None:
                        course_id = conn.execute(insert(CollegeCourseRow).values(
                            college_id=college_id, subject=code[0], number=code[1])).inserted_primary_key[0]
                        result.courses_new += 1
                    courses[code] = course_id
                known = {k: v for k, v in (("title", rule.title and rule.title[:300]), ("units", rule.units))
                         if v is not None}
                if known:
                    conn.execute(update(CollegeCourseRow).where(CollegeCourseRow.id == course_id).values(**known))
                values = {c: getattr(rule, c) for c in _RULE_COLUMNS}
                values["match_key"] = rule.match_key and rule.match_key[:1000]
                key = rule.rule_key()
                stored = select(ArticulationRow.id, *(getattr(ArticulationRow, c) for c in _UPDATABLE_COLUMNS))
                existing = conn.execute(stored.where(ArticulationRow.course_id == course_id,
                                                     ArticulationRow.rule_key == key)).first()
                changes = {c: values[c] for c in _UPDATABLE_COLUMNS}
                if existing is None:
                    conn.execute(insert(ArticulationRow).values(course_id=course_id, rule_key=key, created_at=now,
                                                                updated_at=now, **values))
                    result.rules_new += 1
                elif tuple(existing[1:]) == tuple(changes.values()):
                    result.rules_unchanged += 1
                else:
                    conn.execute(update(ArticulationRow).where(ArticulationRow.id == existing.id).values(
                        **changes, updated_at=now))
                    result.rules_updated += 1
        return result

    # -- read ------------------------------------------------------------
    def rules(self, college: str) -> tuple[str, list[Rule]]:
        """The college's stored name and all its rules (every status), course details filled in."""
        college_id, name = self.college(college)
        query = (
            select(ArticulationRow, CollegeCourseRow)
            .join(CollegeCourseRow, ArticulationRow.course_id == CollegeCourseRow.id)
            .where(CollegeCourseRow.college_id == college_id)
            .order_by(CollegeCourseRow.subject, CollegeCourseRow.number, ArticulationRow.id)
        )
        out = []
        with Session(self.store.engine) as session:
            for art, course in session.execute(query):
                rule = Rule(subject=course.subject, number=course.number, title=course.title, units=course.units,
                            id=art.id, course_id=course.id, **{c: getattr(art, c) for c in _RULE_COLUMNS})
                out.append(rule)
        return name, out
