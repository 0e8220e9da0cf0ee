"""Matching a holder's records against one college's articulation rules.

For every record and rule: does the rule name this credential (ACE id + version, or the
exhibit version whose dates cover the record's dates; MAP exhibit; CTID; issuer + title)?
If so, are its conditions met (rule active; credential not revoked and its latest conclusive
issuer check, if any, not failed; pay grade, skill level, recency)? Met →
the college course is eligible; not met → a near-miss saying what is missing. A course is
earned once however many credentials articulate to it. ACE credit recommendations that no
rule at this college names are listed as "not yet articulated here".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import BaseModel, Field

from ..model import CredentialRecord, Verification
from ..store import catalog_match_key
from .rules import (
    AceId,
    Rule,
    normalize_map_exhibit,
    normalize_pay_grade,
    parse_ace_id,
    pay_grade_rank,
    skill_level_rank,
)

NOT_ARTICULATED = "not yet articulated here"


class CourseOut(BaseModel):
    subject: str
    number: str
    code: str
    title: str | None = None
    units: float | None = None


class MatchOut(BaseModel):
    record_id: str
    record_title: str
    credential: str = Field(description="The holder's credential as matched (e.g. 'ACE NV-0702-0014 V02')")
    rule_id: int | None
    rule: str = Field(description="The credential as the articulation rule names it")
    reason: str
    verification: str | None = Field(
        None, description="The credential's latest issuer verification ('verified', 'unverifiable', ...); null "
                          "when it was never verified. While its latest conclusive check (not 'unverifiable' "
                          "or 'error') is failed or revoked, the match is a near-miss.")
    evidence: str = Field("", description="The document the credential was read from (its format); "
                                          "'…, a copy of a passport-hub export' when it came from a hub's export, "
                                          "not from the issuer")


class EligibleCourse(BaseModel):
    course: CourseOut
    units: float | None
    earned_by: MatchOut = Field(description="The credential the course is counted for (once)")
    also_articulated_by: list[MatchOut] = Field(
        default_factory=list, description="Other credentials that articulate to the same course: not counted again")


class NearMiss(BaseModel):
    course: CourseOut
    record_id: str
    record_title: str
    credential: str
    rule_id: int | None
    rule: str
    matched: str
    missing: list[str]
    verification: str | None = None
    evidence: str = ""


class CreditOut(BaseModel):
    subject: str | None = None
    amount: float
    unit: str
    level: str | None = None


class Recommendation(BaseModel):
    record_id: str
    record_title: str
    ace_id: str
    version: str | None = None
    credit: list[CreditOut]
    total: float
    unit: str
    status: str = NOT_ARTICULATED
    note: str | None = None


class CplReport(BaseModel):
    college: str
    holder: str
    as_of: date
    eligible: list[EligibleCourse]
    total_units: float = Field(description="Units of the eligible courses whose units are known, each counted once")
    courses_with_unknown_units: int
    near_misses: list[NearMiss]
    recommendations: list[Recommendation] = Field(description=f"ACE credit with no articulation: {NOT_ARTICULATED!r}")


# -- what a record offers for matching --------------------------------------------------------


def _result(record: CredentialRecord, name: str) -> str | None:
    return next((r.value for r in record.results if r.name == name), None)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass
class Facts:
    record: CredentialRecord
    aces: list[AceId] = field(default_factory=list)
    ctids: dict[str, str] = field(default_factory=dict)  # ctid -> how we know it
    map_ids: set[str] = field(default_factory=set)
    match_key: str = ""
    start: date | None = None
    end: date | None = None
    pay_grade: str | None = None
    pay_grade_from: str = ""
    skill_level: str | None = None

    @property
    def is_occupation(self) -> bool:
        return self.record.achievement.kind == "military_occupation"

    @property
    def completed(self) -> date | None:
        return self.end or self.start or self.record.issued_on

    def label(self) -> str:
        if self.aces:
            return f"ACE {self.aces[0].label}"
        return f"{self.record.issuer.name}: {self.record.achievement.title}"


#: why a record without a CTID has one: found by its issuer and title, as approximate as a rule
#: naming them
CTID_BY_ISSUER_AND_TITLE = "CTID of the catalog entry with this issuer and title"


def facts_for(record: CredentialRecord, ctid_lookup: Callable[[CredentialRecord], str | None] | None = None) -> Facts:
    a = record.achievement
    facts = Facts(record=record, match_key=catalog_match_key(record.issuer.name, a.title))
    for ident in a.identifiers:
        scheme = ident.scheme.lower()
        if scheme == "ace" and (ace := parse_ace_id(ident.value, ident.version)):
            facts.aces.append(ace)
        elif scheme in ("map", "map_exhibit") and (map_id := normalize_map_exhibit(ident.value)):
            facts.map_ids.add(map_id)
        elif scheme == "ctid":
            facts.ctids.setdefault(ident.value.strip().lower(), "CTID on the record")
    if a.ctid:
        facts.ctids[a.ctid.strip().lower()] = "CTID on the record"
    if not facts.ctids and ctid_lookup is not None and (found := ctid_lookup(record)):
        facts.ctids[found.lower()] = CTID_BY_ISSUER_AND_TITLE
    facts.start = _date(_result(record, "start_date"))
    facts.end = _date(_result(record, "end_date"))
    if facts.start is None and facts.end is None:
        facts.start = record.issued_on
    grades = [o.pay_grade for o in a.occupations if pay_grade_rank(o.pay_grade) is not None]
    if grades:
        facts.pay_grade, facts.pay_grade_from = max(grades, key=pay_grade_rank), "occupation"
    elif pay_grade_rank(rank := _result(record, "pay_grade")) is not None:
        facts.pay_grade, facts.pay_grade_from = rank, "rank on the transcript"
    levels = [o.skill_level for o in a.occupations if skill_level_rank(o.skill_level) is not None]
    if levels:
        facts.skill_level = max(levels, key=skill_level_rank)
    return facts


# -- exhibit versions by date -----------------------------------------------------------------


def version_ranges(rules: Iterable[Rule]) -> dict[tuple[str, date], tuple[date | None, date | None]]:
    """Date ranges of exhibit versions known only by MAP's team-reviewed date.

    MAP's template keys a version by its team-reviewed date and carries no exhibit dates.
    For one ACE id, the versions this college has are ordered by that date; each covers
    from its date until the day before the next one, the first also covers everything
    before it and the last stays open. A rule with its own exhibit dates or version is
    not part of this.
    """
    dates: dict[str, set[date]] = defaultdict(set)
    for rule in rules:
        if rule.ace_id and rule.version_date and not rule.ace_version and not (rule.exhibit_start or rule.exhibit_end):
            dates[rule.ace_id].add(rule.version_date)
    ranges = {}
    for ace_id, found in dates.items():
        ordered = sorted(found)
        for i, d in enumerate(ordered):
            start = d if i else None
            end = ordered[i + 1] - timedelta(days=1) if i + 1 < len(ordered) else None
            ranges[(ace_id, d)] = (start, end)
    return ranges


def _span(start: date | None, end: date | None) -> str:
    return f"{start or 'any earlier date'} to {end or 'present'}"


# -- one record against one rule --------------------------------------------------------------


@dataclass
class Outcome:
    identity: str | None = None  # why the rule names this credential; None → it does not
    other_version: str | None = None  # same ACE id, another version: what the rule covers
    missing: list[str] = field(default_factory=list)
    #: how closely the rule names it, to choose among matches: 0 by id (ACE id and version, MAP
    #: exhibit id, CTID on the record), 1 by ACE id and dates or every version, 2 approximately (a
    #: MAP team-reviewed date, issuer and title, a CTID found by issuer and title)
    closeness: int = 0


def _ace_parts(ace: AceId) -> str:
    """The record's ACE id with its version named as such: ``NER-HM (version 005)``."""
    return f"{ace.id} (version {ace.version})" if ace.version else f"{ace.id} (no version on the record)"


def _ace_identity(rule: Rule, facts: Facts, ranges: dict, as_of: date) -> Outcome:
    out = Outcome()
    same_id = [ace for ace in facts.aces if ace.id == rule.ace_id]
    # the exact version first, wherever the record lists it (a course taken twice lists two)
    if rule.ace_version and (exact := next((ace for ace in same_id if ace.version == rule.ace_version), None)):
        out.identity = f"ACE id {exact.id}, version {exact.version}, match"
        return out
    for ace in same_id:
        if rule.ace_version and ace.version:
            out.other_version = f"version {rule.ace_version}"
            continue
        if rule.exhibit_start or rule.exhibit_end:
            start, end, what = rule.exhibit_start, rule.exhibit_end, "exhibit dates"
            out.closeness = 1
        elif rule.version_date:
            start, end = ranges.get((rule.ace_id, rule.version_date), (None, None))
            what = f"exhibit version team-reviewed {rule.version_date}, taken to cover"
            out.closeness = 2
        elif rule.ace_version:  # the rule has a version, the record none, no dates to decide by
            out.other_version = f"version {rule.ace_version} (the record carries no version)"
            continue
        else:
            out.identity, out.closeness = f"ACE id {_ace_parts(ace)} matches; the rule covers every version", 1
            return out
        if facts.is_occupation:
            held_from, held_to = facts.start, facts.end or as_of
            if held_from is None:
                out.other_version = f"{what} {_span(start, end)} (the record has no dates)"
                continue
            if (start is None or held_to >= start) and (end is None or held_from <= end):
                out.identity = (f"ACE id {_ace_parts(ace)}; held {held_from} to {facts.end or 'present'}, "
                                f"within {what} {_span(start, end)}")
                return out
            out.other_version = f"{what} {_span(start, end)}"
            continue
        when = facts.completed
        if when is None:
            out.other_version = f"{what} {_span(start, end)} (the record has no course dates)"
            continue
        if (start is None or when >= start) and (end is None or when <= end):
            out.identity = f"ACE id {_ace_parts(ace)}; completed {when}, within {what} {_span(start, end)}"
            return out
        out.other_version = f"{what} {_span(start, end)}"
    return out


def _identity(rule: Rule, facts: Facts, ranges: dict, as_of: date) -> Outcome:
    if rule.kind in ("ace_course", "ace_occupation"):
        return _ace_identity(rule, facts, ranges, as_of)
    if rule.kind == "map_exhibit":
        if rule.map_exhibit_id in facts.map_ids:
            return Outcome(identity=f"MAP exhibit id matches ({rule.map_exhibit_id})")
        if rule.match_key and rule.match_key == facts.match_key:
            return Outcome(identity=f"issuer and title match MAP exhibit {rule.map_exhibit_id} "
                                    f"({rule.issuer_name}: {rule.credential_title})", closeness=2)
        return Outcome()
    if rule.kind == "ctid":
        if rule.ctid in facts.ctids:
            found_by = facts.ctids[rule.ctid]
            return Outcome(identity=f"CTID matches ({rule.ctid}; {found_by})",
                           closeness=2 if found_by == CTID_BY_ISSUER_AND_TITLE else 0)
        return Outcome()
    if rule.match_key and rule.match_key == facts.match_key:
        return Outcome(identity=f"issuer and title match ({rule.issuer_name}: {rule.credential_title})", closeness=2)
    return Outcome()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _conditions(rule: Rule, facts: Facts, as_of: date,
                standing: Verification | None) -> tuple[list[str], list[str]]:
    """What the record lacks for the rule, and which of the rule's conditions it meets (pay
    grade, skill level, recency: for the reason); ``standing``: its newest conclusive verification."""
    missing: list[str] = []
    met: list[str] = []
    if rule.status != "active":
        missing.append("the articulation is pending approval at this college" if rule.status == "pending"
                       else "the articulation is no longer active at this college")
    if facts.record.status == "revoked":
        missing.append("the credential is revoked")
    elif standing is not None and standing.status == "revoked":
        missing.append(f"the issuer reported the credential revoked on {standing.checked_at:%Y-%m-%d}")
    if standing is not None and standing.status == "failed":
        # a credential the issuer did not confirm earns nothing until a new check passes
        missing.append(f"the issuer check failed on {standing.checked_at:%Y-%m-%d} (verify it again)")
    if rule.min_pay_grade:
        need, have = pay_grade_rank(rule.min_pay_grade), pay_grade_rank(facts.pay_grade)
        if need is None:  # stored before such grades were refused on import (E-55)
            missing.append(f"pay grade {rule.min_pay_grade} or higher (not a pay grade: the articulation "
                           "needs correcting)")
        elif have is None:
            missing.append(f"pay grade {rule.min_pay_grade} or higher (no pay grade on the record)")
        elif have < need:
            missing.append(f"pay grade {rule.min_pay_grade} or higher (the record shows {facts.pay_grade}, "
                           f"from the {facts.pay_grade_from})")
        else:
            met.append(f"pay grade {normalize_pay_grade(facts.pay_grade)} meets {rule.min_pay_grade} or higher "
                       f"(from the {facts.pay_grade_from})")
    if rule.min_skill_level:
        need_level, have_level = skill_level_rank(rule.min_skill_level), skill_level_rank(facts.skill_level)
        if need_level is None or have_level is None or have_level[0] != need_level[0]:
            missing.append(f"skill level {rule.min_skill_level} or higher (no skill level on the record)")
        elif have_level[1] < need_level[1]:
            missing.append(f"skill level {rule.min_skill_level} or higher (the record shows {facts.skill_level})")
        else:
            met.append(f"skill level {facts.skill_level} meets {rule.min_skill_level} or higher")
    if rule.recency_years:
        when = (facts.end or as_of) if facts.is_occupation else facts.completed
        cutoff = _years_before(as_of, rule.recency_years)
        if when is None:
            missing.append(f"completed within {rule.recency_years} years (no date on the record)")
        elif when < cutoff:
            missing.append(f"completed within {rule.recency_years} years, i.e. on or after {cutoff} "
                           f"(the record shows {when})")
        else:
            done = "still held" if facts.is_occupation and facts.end is None else f"completed {when}"
            met.append(f"{done}, within {rule.recency_years} years")
    return missing, met


def _evidence(record: CredentialRecord) -> str:
    # a college weighs an issuer's own document above a copy a holder's hub exported
    copied = ", a copy of a passport-hub export" if record.source.copy_of else ""
    return f"{record.source.format}{copied}"


def _course(rule: Rule) -> CourseOut:
    return CourseOut(subject=rule.subject, number=rule.number, code=rule.course_code, title=rule.title,
                     units=rule.units)


def evaluate(records: Iterable[CredentialRecord], rules: list[Rule], *, college: str, holder: str,
             as_of: date | None = None,
             ctid_lookup: Callable[[CredentialRecord], str | None] | None = None,
             standing: Mapping[str, Verification] | None = None) -> CplReport:
    """The CPL report for these records at a college with these rules (all statuses).

    ``standing``: each record's newest conclusive verification by record id (the store's
    history); without it, a record's own latest verification stands in."""
    as_of = as_of or date.today()
    ranges = version_ranges(rules)
    eligible: dict[str, list[tuple[tuple, MatchOut, Rule]]] = defaultdict(list)
    near: dict[str, list[NearMiss]] = defaultdict(list)
    recommendations: list[Recommendation] = []
    for record in records:
        facts = facts_for(record, ctid_lookup)
        stands = record.verification if standing is None else standing.get(record.id)
        # a course is counted for a current credential before a lapsed one (a renewed CPR card)
        lapsed = record.status == "expired" or (stands is not None and stands.status == "expired") or (
            record.expires_on is not None and record.expires_on < as_of)
        named_here = False
        other_versions: list[str] = []
        for rule in rules:
            outcome = _identity(rule, facts, ranges, as_of)
            if outcome.identity is None:
                if outcome.other_version:
                    other_versions.append(f"{rule.course_code} for {outcome.other_version}")
                continue
            named_here = True
            missing, met = _conditions(rule, facts, as_of, stands)
            reason = "; ".join([outcome.identity, *met])
            match = MatchOut(record_id=record.id, record_title=record.achievement.title, credential=facts.label(),
                             rule_id=rule.id, rule=rule.credential_label(), reason=reason,
                             verification=record.verification and record.verification.status,
                             evidence=_evidence(record))
            if missing:
                near[rule.course_code].append(NearMiss(
                    course=_course(rule), missing=missing, matched=reason,
                    **match.model_dump(exclude={"reason"})))
            else:
                order = (lapsed, outcome.closeness, facts.completed or date.max, record.id, rule.id or 0)
                eligible[rule.course_code].append((order, match, rule))
        credit = [c for c in record.achievement.credit if c.amount > 0]
        if facts.aces and credit and not named_here:
            ace = facts.aces[0]
            note = None
            if other_versions:
                note = "this college articulates other versions of this ACE id: " + "; ".join(
                    dict.fromkeys(other_versions))
            unit = credit[0].unit
            recommendations.append(Recommendation(
                record_id=record.id, record_title=record.achievement.title, ace_id=ace.full_id, version=ace.version,
                credit=[CreditOut(subject=c.subject, amount=c.amount, unit=c.unit, level=c.level) for c in credit],
                total=sum(c.amount for c in credit if c.unit == unit), unit=unit, note=note))

    courses = []
    for code in sorted(eligible):
        entries = sorted(eligible[code], key=lambda e: e[0])
        seen: set[str] = set()
        unique = []
        for _order, match, _rule in entries:  # one record through two rules for one course: list it once
            if match.record_id not in seen:
                seen.add(match.record_id)
                unique.append(match)
        first_rule = entries[0][2]
        courses.append(EligibleCourse(course=_course(first_rule), units=first_rule.units, earned_by=unique[0],
                                      also_articulated_by=unique[1:]))
    near_misses = [n for code in sorted(near) if code not in eligible for n in near[code]]
    known = [c.units for c in courses if c.units is not None]
    return CplReport(
        college=college, holder=holder, as_of=as_of, eligible=courses, total_units=float(sum(known)),
        courses_with_unknown_units=len(courses) - len(known), near_misses=near_misses,
        recommendations=recommendations)


def catalog_ctid_lookup(store, records: list[CredentialRecord]) -> Callable[[CredentialRecord], str | None]:
    """The CTID of each record's catalog entry, matched by issuer + title (for records without
    one); the catalog is asked once for all the records."""
    def key(record: CredentialRecord) -> str:
        return catalog_match_key(record.issuer.name, record.achievement.title)

    found = store.catalog().ctids_by_match_key(key(record) for record in records)
    return lambda record: found.get(key(record))


def cpl_for_records(store, records: Iterable[CredentialRecord], college: str, *, holder: str, wallet: str,
                    as_of: date | None = None) -> CplReport:
    """The CPL report for these records of ``wallet``'s (a holder's, or a share's) at a stored college."""
    from .repo import ArticulationRepo

    name, rules = ArticulationRepo(store).rules(college)
    records = list(records)
    return evaluate(records, rules, college=name, holder=holder, as_of=as_of,
                    ctid_lookup=catalog_ctid_lookup(store, records),
                    standing=store.standing_verifications(wallet, [record.id for record in records]))


def cpl_for_holder(store, holder_id: str, college: str, *, as_of: date | None = None) -> CplReport:
    """The CPL report for a stored holder at a stored college."""
    from .repo import ArticulationRepo

    ArticulationRepo(store).college(college)  # an unknown college is reported before an unknown holder
    store.require_holder(holder_id)
    return cpl_for_records(store, store.records(holder_id), college, holder=holder_id, wallet=holder_id, as_of=as_of)
