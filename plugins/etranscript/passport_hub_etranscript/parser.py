"""PESC CollegeTranscript (XML v1.x, JSON renderings) into normalized records.

Every rendering is first turned into one shape — a dict per element, keyed by the
element's *local* name, a list where an element repeats, the text for a leaf — and one
mapper turns that into records: one per ``AcademicAward``, one per ``Course``.

XML is parsed only through :func:`passport_hub.xmlsafe.parse_xml` (no DTD, no entities,
no network; a DOCTYPE is refused as unsafe; lxml detects the encoding from the bytes).
Elements are matched by local name, so the root's namespace (which carries the version)
and prefixes never matter, and a default namespace that qualifies every child is read
the same way as the schema-valid unqualified form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from passport_hub.contract import Document
from passport_hub.dates import parse_date
from passport_hub.errors import MalformedError, PassportHubError, UnrecognizedError
from passport_hub.model import CredentialRecord, Credit, Holder, Identifier, Issuer, Result, stable_id

from . import codes
from .version import VERSION

SOURCE_NAME = "etranscript"
TRANSCRIPT = "CollegeTranscript"
BATCH_ROOTS = frozenset({"AcademicRecordBatch"})
_PESC_MESSAGE_NS = "urn:org:pesc:message:CollegeTranscript:"

# ---------------------------------------------------------------------------------------
# One shape for every rendering
# ---------------------------------------------------------------------------------------

_LOCAL: dict[str, str] = {}
#: elements no record uses (GPA summaries); not converted, which saves a third of the work
_XML_SKIP = frozenset({"AcademicSummary"})


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        if len(_LOCAL) > 4096:  # hostile documents with endless namespaces
            _LOCAL.clear()
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def xml_obj(element: Any) -> dict[str, Any]:
    """An lxml element as ``{local name: text | dict | [values...]}`` (document order kept per name)."""
    out: dict[str, Any] = {}
    local = _LOCAL
    for child in element:
        tag = child.tag
        if tag.__class__ is not str:  # comments / PIs are removed by the parser; be safe
            continue
        name = local.get(tag) or _local(tag)
        if name in _XML_SKIP:
            continue
        value = xml_obj(child) if len(child) else child.text
        if name in out:
            prev = out[name]
            if prev.__class__ is list:
                prev.append(value)
            else:
                out[name] = [prev, value]
        else:
            out[name] = value
    return out


def json_obj(value: Any) -> Any:
    """A MOXy / EdExchange JSON value in the same shape: ``ColTrn.X`` / ``CCC.X`` keys → ``X``."""
    if isinstance(value, dict):
        return {key.rpartition(".")[2]: json_obj(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_obj(item) for item in value]
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if value.__class__ is list else [value]


def _first(value: Any) -> Any:
    while value.__class__ is list:
        value = value[0] if value else None
    return value


def _dict(value: Any) -> dict[str, Any] | None:
    value = _first(value)
    return value if isinstance(value, dict) else None


def _s(value: Any) -> str | None:
    """The text of a leaf (stripped; ``None`` when empty). JSON numbers and booleans as text."""
    if value is None:
        return None
    cls = value.__class__
    if cls is str:
        value = value.strip()
        return value or None
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return str(value)
    if cls is float:
        return repr(value)
    if cls is list:
        return _s(value[0]) if value else None
    return None


_ZONED_DATE = re.compile(r"^(\d{4,}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$")


def _date(text: str | None, what: str, warnings: list[str]) -> date | None:
    """An xs:date / xs:dateTime (also ``1995-01-01Z``) via the shared date parser."""
    if not text:
        return None
    match = _ZONED_DATE.match(text)
    try:
        return parse_date(match.group(1) if match else text)
    except ValueError:
        warnings.append(f"{what} {text!r} is not a readable date; left empty")
        return None


# ---------------------------------------------------------------------------------------
# Organizations and people
# ---------------------------------------------------------------------------------------

#: children of Organization / School / CourseOverrideSchool that are not identifiers
_ORG_NOT_ID = frozenset({
    "OrganizationName", "LocalOrganizationID", "Contacts", "NoteMessage", "SchoolOverrideCode",
    "SchoolLevel", "Accreditation", "Organization", "SchoolEnrollment",
})
_ORG_SCHEME = {"CEEBACT": "ceeb", "MutuallyDefined": "mutually_defined"}


class Org:
    __slots__ = ("name", "identifiers", "override_code", "key")

    def __init__(self, node: dict[str, Any]):
        self.name = _s(node.get("OrganizationName"))
        self.override_code = _s(node.get("SchoolOverrideCode"))
        ids: list[dict[str, str]] = []
        for key, value in node.items():
            if key in _ORG_NOT_ID or isinstance(_first(value), dict):
                continue
            for item in _list(value):
                text = _s(item)
                if text is not None:
                    ids.append({"scheme": _ORG_SCHEME.get(key) or key.lower(), "value": text})
        local = _dict(node.get("LocalOrganizationID"))
        if local:
            code = _s(local.get("LocalOrganizationIDCode"))
            qualifier = _s(local.get("LocalOrganizationIDQualifier"))
            if code:
                ids.append({"scheme": "local_organization_id", "value": f"{qualifier}:{code}" if qualifier else code})
        self.identifiers = ids
        first = ids[0] if ids else None
        self.key = f"{first['scheme']}:{first['value']}" if first else (self.name or "")

    def results(self, prefix: str, result: Any) -> list[Result]:
        out = []
        if self.name:
            out.append(result(prefix, self.name))
        for ident in self.identifiers:
            out.append(result(f"{prefix}_{ident['scheme']}", ident["value"]))
        return out

    def issuer(self) -> Issuer:
        return Issuer.model_validate({"name": self.name or "Unnamed institution", "identifiers": self.identifiers})


def _holder(person: dict[str, Any], warnings: list[str]) -> tuple[Holder, str]:
    name_node = _dict(person.get("Name")) or {}
    first = _s(name_node.get("FirstName"))
    last = _s(name_node.get("LastName"))
    middles = [m for m in (_s(x) for x in _list(name_node.get("MiddleName"))) if m]
    suffix = _s(name_node.get("NameSuffix"))
    full = " ".join(p for p in (first, *middles, last, suffix) if p) or _s(name_node.get("CompositeName"))
    if not full:
        full = "Unnamed student"
        warnings.append("the transcript names no student (Person/Name is empty)")
    birth = _dict(person.get("Birth")) or {}
    birth_date = _date(_s(birth.get("BirthDate")), "BirthDate", warnings)
    ids: list[dict[str, str]] = []
    for key, scheme in (("SchoolAssignedPersonID", "student_id"), ("AgencyAssignedID", "agency_id"),
                        ("RecipientAssignedID", "recipient_id")):
        value = _s(person.get(key))
        if value:
            ids.append({"scheme": scheme, "value": value})
    for agency in _list(person.get("AgencyIdentifier")):
        if not isinstance(agency, dict):
            continue
        value = _s(agency.get("AgencyAssignedID"))
        if not value:
            continue
        agency_name = _s(agency.get("AgencyName"))
        if agency_name and "CCC" in agency_name.upper():
            ids.append({"scheme": "cccid", "value": value})
        else:
            qualifier = agency_name or _s(agency.get("AgencyCode"))
            ids.append({"scheme": "agency_id", "value": f"{qualifier}:{value}" if qualifier else value})
    # SSN, PartialSSN, SIN and NSN are never propagated.
    email = None
    for contacts in _list(person.get("Contacts")):
        for mail in _list(contacts.get("Email") if isinstance(contacts, dict) else None):
            email = _s(mail.get("EmailAddress")) if isinstance(mail, dict) else None
            if email:
                break
        if email:
            break
    holder = Holder.model_validate({
        "name": full, "given_name": first, "family_name": last, "birth_date": birth_date,
        "email": email, "identifiers": ids,
    })
    return holder, f"{full}|{birth_date or ''}"


# ---------------------------------------------------------------------------------------
# The mapper
# ---------------------------------------------------------------------------------------

class _Transcript:
    """What every record of one transcript shares."""

    __slots__ = ("document", "fmt", "prefix", "seen", "holder", "holder_key", "warnings", "doc_id", "sender",
                 "_results", "_identifiers", "_credits", "_dates")

    def __init__(self, document: Document, fmt: str, prefix: str, seen: dict[str, int]):
        self.document = document
        self.fmt = fmt
        self.prefix = prefix
        self.seen = seen
        self.holder: Holder | None = None
        self.holder_key = ""
        self.warnings: list[str] = []
        self.doc_id: str | None = None
        self.sender: Org | None = None
        # Validated once per distinct value and shared by the records of the document
        # (terms, grades, bases repeat): validation is kept, at a fraction of the cost.
        self._results: dict[tuple[str, str], Result] = {}
        self._identifiers: dict[tuple[str, str], Identifier] = {}
        self._credits: dict[tuple, Credit] = {}
        self._dates: dict[str, date] = {}

    def date(self, text: str | None, what: str, warnings: list[str]) -> date | None:
        """:func:`_date`, remembered per text (a term's end date is every course's date);
        an unreadable date is parsed again so that each record gets its warning."""
        if not text:
            return None
        found = self._dates.get(text)
        if found is None:
            found = _date(text, what, warnings)
            if found is not None:
                self._dates[text] = found
        return found

    def result(self, name: str, value: str) -> Result:
        key = (name, value)
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = Result(name=name, value=value)
        return found

    def identifier(self, scheme: str, value: str) -> Identifier:
        key = (scheme, value)
        found = self._identifiers.get(key)
        if found is None:
            found = self._identifiers[key] = Identifier(scheme=scheme, value=value)
        return found

    def credit(self, amount: float, unit: str, level: str | None, subject: str | None) -> Credit:
        key = (amount, unit, level, subject)
        found = self._credits.get(key)
        if found is None:
            found = self._credits[key] = Credit(amount=amount, unit=unit, level=level, subject=subject)
        return found

    def record(self, *, issuer: Issuer, issuer_key: str, key: str, achievement: dict[str, Any],
               issued_on: date | None, status: str, results: list[Result], locator: str,
               warnings: list[str]) -> CredentialRecord:
        rid = stable_id(issuer_key, key, self.holder_key, SOURCE_NAME)
        count = self.seen.get(rid)
        if count is None:
            self.seen[rid] = 1
        else:  # the same course twice in one document: keep both, ids stay deterministic
            self.seen[rid] = count + 1
            rid = stable_id(issuer_key, key, self.holder_key, SOURCE_NAME, count + 1)
        if self.doc_id:
            results.append(self.result("document_id", self.doc_id))
        return _validate_record({
            "id": rid,
            "holder": self.holder,
            "issuer": issuer,
            "achievement": achievement,
            "issued_on": issued_on,
            "status": status,
            "results": results,
            "source": {
                "plugin": SOURCE_NAME, "plugin_version": VERSION, "format": self.fmt,
                "document_sha256": self.document.sha256, "locator": self.prefix + locator,
            },
            "warnings": self.warnings + warnings if self.warnings else warnings,
        })


_validate_record = CredentialRecord.model_validate


def map_transcript(t: dict[str, Any], *, document: Document, fmt: str, prefix: str = "",
                   seen: dict[str, int] | None = None, warning: str | None = None) -> Iterator[CredentialRecord]:
    """Records of one CollegeTranscript given in the common shape."""
    ctx = _Transcript(document, fmt, prefix, {} if seen is None else seen)
    if warning:
        ctx.warnings.append(warning)
    td = _dict(t.get("TransmissionData"))
    if td is None:
        ctx.warnings.append(
            "the transcript has no TransmissionData (required): sender, document id and creation "
            "date are unknown")
    else:
        ctx.doc_id = _s(td.get("DocumentID"))
        source = _dict(td.get("Source"))
        org = _dict(source.get("Organization")) if source else None
        if org:
            ctx.sender = Org(org)
        else:
            ctx.warnings.append("TransmissionData names no Source organization (the sender is unknown)")
    student = _dict(t.get("Student"))
    if student is None:
        raise MalformedError(f"{document.name}: the transcript has no Student")
    person = _dict(student.get("Person"))
    if person is None:
        ctx.warnings.append("the transcript has no Student/Person: the holder is unknown")
    else:
        ctx.holder, ctx.holder_key = _holder(person, ctx.warnings)

    sender = ctx.sender
    sender_issuer = sender.issuer() if sender else None
    for i, ar in enumerate(_list(student.get("AcademicRecord")), 1):
        if not isinstance(ar, dict):
            continue
        base = f"Student/AcademicRecord[{i}]"
        school_node = _dict(ar.get("School"))
        ar_results: list[Result] = []
        ar_warnings: list[str] = []
        if school_node is not None:
            org = Org(school_node)
            issuer = org.issuer()
            if org.override_code == "Transfer":
                ar_results.append(ctx.result("transfer", "true"))
            if sender is not None and sender.key != org.key:
                ar_results.append(ctx.result("reported_by", sender.name or sender.key))
        elif sender is not None:
            org, issuer = sender, sender_issuer
        else:
            org = Org({"OrganizationName": "Unknown institution"})
            issuer = org.issuer()
            ar_warnings.append(
                "issuer unknown: the AcademicRecord has no School and the transcript has no "
                "TransmissionData/Source")
        assert issuer is not None
        school = (org, issuer, ar_results, ar_warnings)

        for j, award in enumerate(_list(ar.get("AcademicAward")), 1):
            if isinstance(award, dict):
                yield _award(ctx, school, award, f"{base}/AcademicAward[{j}]")
        for j, session in enumerate(_list(ar.get("AcademicSession")), 1):
            if not isinstance(session, dict):
                continue
            sbase = f"{base}/AcademicSession[{j}]"
            term = _session(ctx, session)
            for k, award in enumerate(_list(session.get("AcademicAward")), 1):
                if isinstance(award, dict):
                    yield _award(ctx, school, award, f"{sbase}/AcademicAward[{k}]")
            for k, course in enumerate(_list(session.get("Course")), 1):
                if isinstance(course, dict):
                    yield _course(ctx, school, course, term, f"{sbase}/Course[{k}]")
        for j, course in enumerate(_list(ar.get("Course")), 1):
            if isinstance(course, dict):
                yield _course(ctx, school, course, _NO_TERM, f"{base}/Course[{j}]")


class _Term:
    __slots__ = ("key", "results", "end")

    def __init__(self, key: str, results: list[Result], end: str | None):
        self.key = key
        self.results = results
        self.end = end


_NO_TERM = _Term("", [], None)
_TERM_FIELDS = (("SessionDesignator", "term"), ("SessionDesignatorSuffix", "term_suffix"),
                ("SessionName", "session_name"), ("SessionType", "session_type"),
                ("SessionBeginDate", "session_begin"), ("SessionEndDate", "session_end"))


def _session(ctx: _Transcript, session: dict[str, Any]) -> _Term:
    detail = _dict(session.get("AcademicSessionDetail")) or {}
    results = []
    for key, name in _TERM_FIELDS:
        value = _s(detail.get(key))
        if value is not None:
            results.append(ctx.result(name, value))
    school = _dict(session.get("School"))
    if school is not None:  # a session taken elsewhere (transfer work listed by the sender)
        org = Org(school)
        if org.override_code == "Transfer":
            results.append(ctx.result("transfer", "true"))
        results.extend(org.results("transfer_school" if org.override_code == "Transfer" else "session_school",
                                   ctx.result))
    key = f"{_s(detail.get('SessionDesignator')) or ''}/{_s(detail.get('SessionDesignatorSuffix')) or ''}"
    return _Term(key, results, _s(detail.get("SessionEndDate")))


_COURSE_FIELDS = (
    ("CourseAcademicGrade", "grade"), ("CourseAcademicGradeScaleCode", "grade_scale"),
    ("CourseAcademicGradeStatusCode", "grade_status"), ("CourseSupplementalAcademicGrade", "supplemental_grade"),
    ("CourseNarrativeExplanationGrade", "narrative_grade"),
    ("CourseCreditValue", "credit_attempted"), ("CourseCreditEarned", "credit_earned"),
    ("CourseCreditUnits", "credit_unit"), ("CourseCreditLevel", "credit_level"),
    ("CourseCreditBasis", "credit_basis"), ("CourseRepeatCode", "repeat_code"),
    ("CourseQualityPointsEarned", "quality_points"), ("CourseLevel", "course_level"),
    ("CourseGPAApplicabilityCode", "gpa_applicability"), ("CourseApplicability", "applicability"),
    ("CourseSectionNumber", "section"), ("CourseBeginDate", "course_begin"), ("CourseEndDate", "course_end"),
    ("CourseAddDate", "course_add"), ("CourseDropDate", "course_drop"),
    ("OverrideSchoolCourseNumber", "override_school_course_number"),
    ("CourseInstructionSite", "instruction_site"),
)
_COURSE_CODES = (("CourseCIPCode", "cip"), ("CourseCSISCode", "csis_course"), ("CourseUSISCode", "usis_course"),
                 ("CourseNCESCode", "nces_course"), ("CourseSCEDCode", "sced"),
                 ("OriginalCourseID", "original_course_id"), ("AgencyCourseID", "agency_course_id"))
#: one dispatch table for the single pass over a course's children: element -> (what, name)
_COURSE_MAP: dict[str, tuple[int, str]] = {key: (0, name) for key, name in _COURSE_FIELDS}
_COURSE_MAP.update({key: (1, scheme) for key, scheme in _COURSE_CODES})
_COURSE_MAP.update({"CourseSubjectAbbreviation": (2, "subject"), "CourseNumber": (2, "number"),
                    "CourseTitle": (2, "title"), "NoteMessage": (3, "note"),
                    "CourseOverrideSchool": (4, "override_school"), "UserDefinedExtensions": (5, "")})


def _course(ctx: _Transcript, school: tuple, c: dict[str, Any], term: _Term, locator: str) -> CredentialRecord:
    org, issuer, ar_results, ar_warnings = school
    warnings = list(ar_warnings)
    results: list[Result] = []
    add = results.append
    result = ctx.result
    identifier = ctx.identifier
    values: dict[str, str] = {}
    names: dict[str, str] = {}
    codes_found: list[Identifier] = []
    extra: list[Result] = []
    dispatch = _COURSE_MAP.get
    # one pass over the children that are there (a course has ~10 of ~40 possible)
    for key, raw in c.items():
        what = dispatch(key)
        if what is None:
            continue
        kind, name = what
        if kind >= 3:
            if kind == 3:
                for note in _list(raw):
                    text = _s(note)
                    if text:
                        extra.append(result("note", text))
            elif kind == 4:
                override = _dict(raw)
                if override is not None:
                    extra.extend(Org(override).results("override_school", result))
            else:
                ude = _dict(raw)
                if ude:
                    _extensions(ude, lambda n, v: extra.append(result(n, v)))
            continue
        value = (raw.strip() or None) if raw.__class__ is str else _s(raw)
        if value is None:
            continue
        if kind == 0:
            values[name] = value
            add(result(name, value))
        elif kind == 1:
            codes_found.append(identifier(name, value))
        else:
            names[name] = value
    subject = names.get("subject")
    number = names.get("number")
    title = names.get("title")
    code = f"{subject} {number}" if subject and number else (subject or number)
    if not (code or title):
        warnings.append("the course has no subject, number or title")
    grade = values.get("grade")
    status_code = values.get("grade_status")
    in_progress = status_code in codes.IN_PROGRESS_STATUS or (
        status_code is None and grade in codes.IN_PROGRESS_GRADES
        and values.get("grade_scale", "500") in codes.IN_PROGRESS_SCALES)

    identifiers = [identifier("course_code", code), *codes_found] if code else codes_found

    credit = []
    unit_raw = values.get("credit_unit")
    earned_raw = values.get("credit_earned")
    if earned_raw is not None and not in_progress:
        unit = codes.CREDIT_UNITS.get(unit_raw) if unit_raw else None
        try:
            amount = float(earned_raw)
        except ValueError:
            warnings.append(f"CourseCreditEarned {earned_raw!r} is not a number")
            amount = 0.0
        if unit is None and amount:
            warnings.append(
                f"credit unit {unit_raw!r} has no record unit; the credit is kept in results only"
                if unit_raw else "the course gives no CourseCreditUnits; the credit is kept in results only")
        elif amount > 0:
            credit.append(ctx.credit(amount, unit, codes.CREDIT_LEVELS.get(values.get("credit_level", "")),
                                     subject))

    if term.results:
        results.extend(term.results)
    if ar_results:
        results.extend(ar_results)
    if extra:
        results.extend(extra)

    issued = None
    if not in_progress:
        issued = ctx.date(values.get("course_end") or term.end, "course end date", warnings)
    return ctx.record(
        issuer=issuer, issuer_key=org.key,
        key=f"course|{code or ''}|{title or ''}|{term.key}",
        achievement={"kind": "course", "title": title or code or "Untitled course",
                     "description": f"{code} {title}" if code and title else None,
                     "identifiers": identifiers, "credit": credit},
        issued_on=issued, status="in_progress" if in_progress else "active",
        results=results, locator=locator, warnings=warnings,
    )


def _extensions(ude: dict[str, Any], add: Any) -> None:
    """UserDefinedExtensions as opaque results: ``ccc.<Element>`` for the eTranscript CA UDE."""
    for container, body in ude.items():
        prefix = "ccc" if "CCC" in container else f"ext.{container}"
        _flatten(body, prefix, add)


def _flatten(body: Any, name: str, add: Any) -> None:
    if isinstance(body, dict):
        for key, value in body.items():
            _flatten(value, f"{name}.{key}", add)
    elif body.__class__ is list:
        for value in body:
            _flatten(value, name, add)
    else:
        text = _s(body)
        if text is not None:
            add(name, text)


def _award(ctx: _Transcript, school: tuple, a: dict[str, Any], locator: str) -> CredentialRecord:
    org, issuer, ar_results, ar_warnings = school
    warnings = list(ar_warnings)
    level = _s(a.get("AcademicAwardLevel"))
    title = _s(a.get("AcademicAwardTitle"))
    date_text = _s(a.get("AcademicAwardDate"))
    label = codes.award_label(level)
    missing = [what for what, value in (("level", level), ("title", title), ("date", date_text)) if not value]
    if missing:
        warnings.append("the award states no " + ", no ".join(missing))
    if level and label is None:
        warnings.append(f"award level {level!r} is not in the PESC code list; kept as given")

    results: list[Result] = []

    def add(name: str, value: str) -> None:
        results.append(ctx.result(name, value))

    if level:
        add("award_level", level)
    if label:
        add("award_level_label", label)
    completion = _s(a.get("AcademicCompletionIndicator"))
    if completion is not None:
        add("completed", completion)
    completion_date = _s(a.get("AcademicCompletionDate"))
    if completion_date:
        add("completion_date", completion_date)
    for honors in _list(a.get("AcademicHonors")):
        if isinstance(honors, dict):
            text = _s(honors.get("HonorsTitle"))
            honors_level = _s(honors.get("HonorsLevel"))
            if text or honors_level:
                add("honors", f"{text} ({honors_level})" if text and honors_level else (text or honors_level))
    identifiers = []
    for program in _list(a.get("AcademicAwardProgram")):
        if isinstance(program, dict):
            for key, name in (("AcademicProgramName", "program"), ("AcademicProgramType", "program_type"),
                              ("ProgramCIPCode", "program_cip")):
                value = _s(program.get(key))
                if value:
                    add(name, value)
                    if name == "program_cip":
                        identifiers.append(ctx.identifier("cip", value))
    for requirement in _list(a.get("AcademicDegreeRequirement")):
        if isinstance(requirement, dict):
            _flatten(requirement, "degree_requirement", add)
    for note in _list(a.get("NoteMessage")):
        text = _s(note)
        if text:
            add("note", text)
    if ar_results:
        results.extend(ar_results)
    if level:
        identifiers.append(ctx.identifier("pesc_award_level", level))

    issued = ctx.date(date_text, "AcademicAwardDate", warnings) or ctx.date(
        completion_date, "AcademicCompletionDate", warnings)
    return ctx.record(
        issuer=issuer, issuer_key=org.key,
        key=f"award|{level or ''}|{title or ''}|{date_text or ''}",
        achievement={"kind": codes.award_kind(level),
                     "title": title or label or "Academic award (no level, title or date given)",
                     "description": label if title and label else None,
                     "ctdl_type": codes.award_ctdl_type(level), "identifiers": identifiers},
        issued_on=issued, status="in_progress" if completion == "false" else "active",
        results=results, locator=locator, warnings=warnings,
    )


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------

def _xml_format(tag: str) -> tuple[str, str | None]:
    if not tag.startswith("{"):
        return "PESC CollegeTranscript XML (no namespace)", None
    ns = tag[1:].partition("}")[0]
    if ns.startswith(_PESC_MESSAGE_NS):
        version = ns[len(_PESC_MESSAGE_NS):]
        if version.startswith("v1."):
            return f"PESC CollegeTranscript {version} XML", None
        return f"PESC CollegeTranscript {version} XML", (
            f"CollegeTranscript {version} is not a 1.x version; read as 1.x")
    return f"CollegeTranscript XML ({ns})", f"root namespace {ns!r} is not PESC's; read as CollegeTranscript 1.x"


def parse_xml_document(document: Document) -> Iterator[CredentialRecord]:
    from passport_hub.xmlsafe import parse_xml

    root = parse_xml(document.data, name=document.name)
    root_name = _local(root.tag) if isinstance(root.tag, str) else ""
    if root_name == TRANSCRIPT:
        transcripts = [root]
    elif root_name in BATCH_ROOTS:
        transcripts = [el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == TRANSCRIPT]
        if not transcripts:
            raise UnrecognizedError(f"{document.name}: the {root_name} holds no CollegeTranscript")
    else:
        raise UnrecognizedError(f"{document.name}: XML root <{root_name}> is not a PESC CollegeTranscript")
    seen: dict[str, int] = {}
    batch = len(transcripts) > 1 or root_name in BATCH_ROOTS
    for n, element in enumerate(transcripts, 1):
        fmt, warning = _xml_format(element.tag)
        obj = xml_obj(element)
        yield from map_transcript(obj, document=document, fmt=fmt, warning=warning, seen=seen,
                                  prefix=f"{root_name}/CollegeTranscript[{n}]/" if batch else "")


def transcripts_in_json(data: Any) -> list[tuple[str, dict[str, Any]]] | None:
    """``[(format, transcript)]`` for a MOXy / EdExchange JSON rendering; ``None`` if it is not one."""
    if not isinstance(data, dict):
        return None
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        local = key.rpartition(".")[2]
        if local == TRANSCRIPT:
            fmt = ("PESC CollegeTranscript JSON (EclipseLink MOXy)" if "." in key
                   else "PESC CollegeTranscript JSON (EdExchange)")
            for item in _list(value):
                if isinstance(item, dict):
                    found.append((fmt, item))
        elif local in BATCH_ROOTS and isinstance(value, dict):
            for inner_key, inner in value.items():
                if inner_key.rpartition(".")[2] == TRANSCRIPT:
                    for item in _list(inner):
                        if isinstance(item, dict):
                            found.append(("PESC AcademicRecordBatch JSON", item))
    return found or None


def parse_json_document(document: Document) -> Iterator[CredentialRecord]:
    data = document.json()
    transcripts = transcripts_in_json(data)
    if transcripts is None:
        from .jsonld import jsonld_transcripts

        transcripts = jsonld_transcripts(data)
        if transcripts is None:
            raise UnrecognizedError(f"{document.name}: JSON is not a PESC CollegeTranscript rendering")
        shaped = transcripts
    else:
        shaped = [(fmt, json_obj(t)) for fmt, t in transcripts]
    seen: dict[str, int] = {}
    batch = len(shaped) > 1
    for n, (fmt, t) in enumerate(shaped, 1):
        yield from map_transcript(t, document=document, fmt=fmt,
                                  prefix=f"CollegeTranscript[{n}]/" if batch else "", seen=seen)


def parse_document(document: Document) -> Iterator[CredentialRecord]:
    """Records of a transcript document; only :mod:`passport_hub.errors` errors escape."""
    try:
        if document.looks_like_json():
            yield from parse_json_document(document)
        else:
            yield from parse_xml_document(document)
    except PassportHubError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise MalformedError(f"{document.name}: transcript too deeply nested or too large to read") from exc
    except Exception as exc:  # never let a bare exception escape parse
        raise MalformedError(
            f"{document.name}: could not be read as a PESC CollegeTranscript ({type(exc).__name__})",
            internal=f"{type(exc).__name__}: {exc}",
        ) from exc
