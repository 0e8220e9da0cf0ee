"""Parsed transcripts → ``CredentialRecord``s (one per course, occupation, test, other learning)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from passport_hub.model import (
    Achievement,
    CredentialRecord,
    Credit,
    Holder,
    Identifier,
    Issuer,
    Occupation,
    RecordStatus,
    Result,
    Source,
    stable_id,
)

from .parser import BRANCH_BY_PREFIX, LEVELS

FORMAT = "Joint Services Transcript (PDF)"
ISSUER_NAMES = {
    "Army": "U.S. Army",
    "Navy": "U.S. Navy",
    "Marine Corps": "U.S. Marine Corps",
    "Coast Guard": "U.S. Coast Guard",
    "Air Force": "U.S. Air Force",
    "Department of Defense": "U.S. Department of Defense",
}
#: occupation ID prefix → ``occupations[].framework``
FRAMEWORKS = {
    "MOS": "mos",
    "NER": "navy_rating",
    "NEC": "navy_nec",
    "NWO": "navy_warrant_officer",
    "LDO": "navy_limited_duty_officer",
    "MCE": "usmc_mos",
    "MCO": "usmc_warrant_officer_mos",
    "CGA": "uscg_aviation",
    "CGR": "uscg_rating",
    "CGW": "uscg_warrant_officer",
}


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _credits(items: list[dict]) -> list[Credit]:
    return [Credit(amount=c["semester_hours"], unit="semester_hours",
                   level=LEVELS.get(c["level"]) if c["level"] else None, subject=c["subject"])
            for c in items]


def _fmt_credit(items: list[dict]) -> str:
    return "; ".join(f"{c['subject']} {c['semester_hours']} SH {c['level'] or '?'}" for c in items)


class RecordBuilder:
    def __init__(self, transcript: dict, *, document_sha256: str, plugin: str, plugin_version: str):
        self.t = transcript
        self.sha = document_sha256
        self.plugin = plugin
        self.plugin_version = plugin_version
        h = transcript["holder"]
        self.holder = Holder(
            name=h["name"] or "unknown",
            given_name=h["first_name"],
            family_name=h["last_name"],
            birth_date=_d(h["birth_date"]),
        ) if h["name"] else None
        self.holder_key = f"{h['name']}|{h['birth_date']}"
        self.common: list[Result] = []
        branch = transcript["service_branch"]
        pairs = [
            ("service_branch", branch),
            ("rank", h["rank"]),
            ("rank_title", h["rank_title"]),
            ("pay_grade", h["pay_grade"]),
            ("service_status", h["status"]),
            ("time_in_service", h["time_in_service"]),
            ("transcript_copy", {True: "official", False: "unofficial"}.get(transcript["official"])),
            ("recipient_institution", (transcript["recipient_institution"] or {}).get("name")),
            ("transcript_pages", "{}-{}".format(*transcript["page_range"])),
        ]
        if h["middle_name"]:
            pairs.insert(0, ("holder_middle_name", h["middle_name"]))
        self.common = [Result(name=k, value=str(v)) for k, v in pairs if v]
        self.warnings = list(transcript["warnings"])

    def _issuer(self, ace_id: str | None) -> Issuer:
        branch = BRANCH_BY_PREFIX.get(ace_id.split("-")[0]) if ace_id else None
        branch = branch or self.t["service_branch"]
        name = ISSUER_NAMES.get(branch or "", "U.S. military (Joint Services Transcript)")
        ids = [Identifier(scheme="jst_service", value=branch)] if branch else []
        return Issuer(name=name, identifiers=ids)

    def _source(self, locator: str | None) -> Source:
        return Source(plugin=self.plugin, plugin_version=self.plugin_version, format=FORMAT,
                      document_sha256=self.sha, locator=locator)

    def _record(self, *, key: tuple, issuer: Issuer, achievement: Achievement, issued_on: date | None,
                results: list[Result], locator: str | None, warnings: list[str]) -> CredentialRecord:
        return CredentialRecord(
            id=stable_id(issuer.name, *key, self.holder_key, "military_jst"),
            holder=self.holder,
            issuer=issuer,
            achievement=achievement,
            issued_on=issued_on,
            status=RecordStatus.ACTIVE,
            results=[*results, *self.common],
            source=self._source(locator),
            warnings=[*warnings, *self.warnings],
        )

    def records(self) -> Iterator[CredentialRecord]:
        yield from (self._course(c) for c in self.t["military_courses"])
        yield from (self._occupation(o) for o in self.t["military_experience"])
        yield from (self._test(x) for x in self.t["college_level_test_scores"])
        yield from (self._other(x) for x in self.t["other_learning_experiences"])
        yield from (self._academic(x) for x in self.t["academic_institution_courses"] or [])

    def _course(self, c: dict) -> CredentialRecord:
        ids = [Identifier(scheme="ace", value=c["ace_id"], version=c["version"])]
        if c["military_course_number"]:
            ids.append(Identifier(scheme="military_course_number", value=c["military_course_number"]))
        results = [Result(name=k, value=v) for k, v in (
            ("start_date", c["start_date"]), ("end_date", c["end_date"]),
            ("total_semester_hours", str(c["total_semester_hours"])),
            ("review_dates", " ".join(f"({x})" for x in c["review_dates"])),
            ("no_credit", c["no_credit_text"] if c["no_credit"] else None),
            ("summary_soc_categories", "; ".join(f"{k}: {v}" for k, v in c.get("_soc", {}).items())),
        ) if v]
        return self._record(
            key=(c["ace_id"], c["version"], c["start_date"], c["end_date"]),
            issuer=self._issuer(c["ace_id"]),
            achievement=Achievement(kind="military_course", title=c["title"] or c["ace_id"], identifiers=ids,
                                    credit=_credits(c["credit_recommendations"])),
            issued_on=_d(c["end_date"] or c["start_date"]),
            results=results, locator=c["_locator"], warnings=c.get("_warnings", []),
        )

    def _occupation(self, o: dict) -> CredentialRecord:
        otype = o["occupation_type"]
        framework = FRAMEWORKS.get(otype or "", "military_occupation")
        code = o["code"] or "NONE ASSIGNED"
        occupations = [Occupation(framework=framework, code=code, title=o["title"],
                                  skill_level=lv["skill_level"], pay_grade=lv["pay_grade"])
                       for lv in o["levels"]] or [Occupation(framework=framework, code=code, title=o["title"])]
        ids = [Identifier(scheme="ace", value=o["ace_id"], version=o["version"])] if o["ace_id"] else []
        results = [Result(name=k, value=v) for k, v in (
            ("start_date", o["start_date"]), ("end_date", o["end_date"]),
            ("review_dates", " ".join(f"({x})" for x in o["review_dates"])),
            ("ace_id_as_printed", o["ace_id_as_printed"] if not o["ace_id"] else None),
        ) if v]
        for lv in o["levels"]:
            value = _fmt_credit(lv["credit_recommendations"]) or f"no credit: {lv['no_credit_text'] or '-'}"
            results.append(Result(name=f"credit_at {lv['label'] or 'unlabelled level'}", value=value))
        if o["no_credit"]:
            reason = "no ACE exhibit (NONE ASSIGNED)" if not o["ace_id"] else next(
                (lv["no_credit_text"] for lv in o["levels"] if lv["no_credit_text"]), "no credit printed")
            results.append(Result(name="no_credit", value=reason))
        return self._record(
            key=(o["ace_id"] or f"{otype}:{code}", o["version"], o["start_date"]),
            issuer=self._issuer(o["ace_id"]),
            achievement=Achievement(kind="military_occupation", title=o["title"] or code,
                                    description=o["description"], identifiers=ids, occupations=occupations,
                                    credit=_credits(o["credit_recommendations_deduplicated"])),
            issued_on=_d(o["start_date"]),
            results=results, locator=o["_locator"], warnings=[],
        )

    def _test(self, x: dict) -> CredentialRecord:
        results = [Result(name="score", value=x["score"])] if x["score"] else []
        results.append(Result(name="test_program", value=x["test_type"]))
        return self._record(
            key=(x["test_type"], x["title"], x["date"]),
            issuer=Issuer(name=x["test_type"]),
            achievement=Achievement(kind="test_score", title=f"{x['test_type']} {x['title']}",
                                    identifiers=[Identifier(scheme="test_program", value=x["test_type"])]),
            issued_on=_d(x["date"]), results=results, locator=x["_locator"], warnings=[],
        )

    def _other(self, x: dict) -> CredentialRecord:
        results = [Result(name=k, value=v) for k, v in (
            ("start_date", x["start_date"]), ("end_date", x["end_date"]),
            ("no_credit", "not evaluated by ACE (Other Learning Experiences)"),
        ) if v]
        return self._record(
            key=("other", x["military_course_number"], x["title"], x["start_date"]),
            issuer=self._issuer(None),
            achievement=Achievement(kind="other", title=x["title"], identifiers=[
                Identifier(scheme="military_course_number", value=x["military_course_number"])]),
            issued_on=_d(x["end_date"] or x["start_date"]), results=results, locator=x["_locator"], warnings=[],
        )

    def _academic(self, x: dict) -> CredentialRecord:
        return self._record(
            key=("education", x["institution"], x["course_id"], x["date"]),
            issuer=Issuer(name=x["institution"]),
            achievement=Achievement(kind="course", title=x["title"],
                                    identifiers=[Identifier(scheme="course_id", value=x["course_id"])],
                                    credit=[Credit(amount=x["semester_hours"], unit="semester_hours")]),
            issued_on=_d(x["date"]), results=[Result(name="grade", value=x["grade"])],
            locator=x["_locator"],
            warnings=["from the JST EDUCATION page (not official): confirm with the college's own transcript"],
        )
