"""PESC CollegeTranscript (XML v1.x, JSON renderings) into normalized records.

One mapper reads every rendering: one record per ``AcademicAward``, one per ``Course``. It
walks *nodes* — an lxml element or a JSON object — and reads a node's children by their
*local* name through the two views a :class:`_Reading` gives for each rendering:

* ``group(node)`` — ``{name: value}``, a list where a name repeats (the shape of the JSON
  renderings; built one level at a time, for the nodes a transcript has a few of);
* ``pairs(node)`` — ``(name, child)`` in document order: the one pass over each Course.

A value is a node, a leaf (an element's text; a JSON string, number or boolean) or, in
JSON, a list. An element without children is a leaf, so ``<School/>`` is an empty value as
in JSON. XML is never converted into dicts: records are mapped straight from the elements
``Document.xml()`` parsed (hardened: no DTD, no entities, no network; a DOCTYPE is refused
as unsafe; lxml detects the encoding from the bytes). Elements are matched by local name,
so the root's namespace (which carries the version) and prefixes never matter, and a
default namespace that qualifies every child is read the same way as the schema-valid
unqualified form. MOXy's ``ColTrn.X`` / ``CCC.X`` keys are read as ``X``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from operator import attrgetter
from typing import Any

from lxml.etree import _Element

from passport_hub.contract import Document
from passport_hub.dates import parse_date
from passport_hub.errors import MalformedError, PassportHubError, UnrecognizedError
from passport_hub.model import CredentialRecord, Credit, Holder, Identifier, Issuer, Result, stable_id
from passport_hub.xmlsafe import local_name

from . import codes

SOURCE_NAME = "etranscript"
TRANSCRIPT = "CollegeTranscript"
BATCH_ROOTS = frozenset({"AcademicRecordBatch"})
_PESC_MESSAGE_NS = "urn:org:pesc:message:CollegeTranscript:"

# Models are built with their pydantic-core validator: the same validation as
# ``model_validate`` / ``Model(...)``, without their Python wrappers (~1 us a call, more
# than validating a Result; a document builds a few hundred models).
_validate_record = CredentialRecord.__pydantic_validator__.validate_python
_validate_result = Result.__pydantic_validator__.validate_python
_validate_identifier = Identifier.__pydantic_validator__.validate_python
_validate_credit = Credit.__pydantic_validator__.validate_python
_validate_holder = Holder.__pydantic_validator__.validate_python
_validate_issuer = Issuer.__pydantic_validator__.validate_python

# ---------------------------------------------------------------------------------------
# Nodes: lxml elements and JSON objects, read the same way
# ---------------------------------------------------------------------------------------


class _LocalNames(dict):
    """Element tag -> local name, remembered. ``None`` for what no record reads:
    ``AcademicSummary`` (GPA summaries) and anything that is not an element."""

    def __missing__(self, tag: Any) -> str | None:
        if len(self) > 4096:  # hostile documents with endless namespaces
            self.clear()
        name = tag.rpartition("}")[2] if tag.__class__ is str else None
        if name == "AcademicSummary":
            name = None
        self[tag] = name
        return name


_LOCAL = _LocalNames()


def _is_node(value: Any) -> bool:
    cls = value.__class__
    return cls is dict or cls is _Element


def _xml_group(element: _Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    local = _LOCAL
    for child in element:
        name = local[child.tag]
        if name is None:
            continue
        value = child if len(child) else child.text
        if name in out:
            prev = out[name]
            if prev.__class__ is list:
                prev.append(value)
            else:
                out[name] = [prev, value]
        else:
            out[name] = value
    return out


def _json_group(obj: dict[str, Any]) -> dict[str, Any]:
    for key in obj:
        if "." in key:  # MOXy prefixes (``ColTrn.``, ``CCC.``); the last of two equal names wins
            return {key.rpartition(".")[2]: value for key, value in obj.items()}
    return obj


def _json_pairs(obj: dict[str, Any]) -> Any:
    return _json_group(obj).items()


_TAG = attrgetter("tag")


def _xml_pairs(element: _Element) -> Any:
    # names found in C (map / zip) rather than a tuple built per child in Python
    children = element[:]
    return zip(map(_LOCAL.__getitem__, map(_TAG, children)), children, strict=True)


def _as_is(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


class _Reading:
    """How a rendering's nodes are read. ``group(node)``: the children as ``{local name:
    value, or [values] where the name repeats}``; ``pairs(node)``: ``(local name, child)``
    in order, where a repeated element repeats, an ``AcademicSummary`` has the name ``None``
    and an XML child is the element itself (one without children stands for its text)."""

    __slots__ = ("group", "pairs")

    def __init__(self, group: Any, pairs: Any):
        self.group = group
        self.pairs = pairs


XML = _Reading(_xml_group, _xml_pairs)
#: MOXy and EdExchange JSON: the XML's names, MOXy's prefixed ones unprefixed
JSON = _Reading(_json_group, _json_pairs)
#: what :mod:`.jsonld` builds from a JSON-LD graph: names as they are
SHAPED = _Reading(_as_is, dict.items)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if value.__class__ is list else [value]


def _first(value: Any) -> Any:
    while value.__class__ is list:
        value = value[0] if value else None
    return value


def _node(value: Any) -> Any:
    """The node a value holds (the first where it repeats), or ``None``."""
    value = _first(value)
    return value if _is_node(value) else None


def _s(value: Any) -> str | None:
    """The text of a leaf (stripped; ``None`` when empty or a node). JSON numbers and booleans as text."""
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


def _date(text: str | None, what: str, warnings: list[str]) -> date | None:
    """An xs:date / xs:dateTime (also ``1995-01-01Z``) via the shared date parser."""
    if not text:
        return None
    try:
        return parse_date(text)
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

    def __init__(self, fields: dict[str, Any], group: Any):
        self.name = _s(fields.get("OrganizationName"))
        self.override_code = _s(fields.get("SchoolOverrideCode"))
        ids: list[dict[str, str]] = []
        for key, value in fields.items():
            if key in _ORG_NOT_ID or _is_node(_first(value)):
                continue
            for item in _list(value):
                text = _s(item)
                if text is not None:
                    ids.append({"scheme": _ORG_SCHEME.get(key) or key.lower(), "value": text})
        local = _node(fields.get("LocalOrganizationID"))
        local = group(local) if local is not None else None
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
        return _validate_issuer({"name": self.name or "Unnamed institution", "identifiers": self.identifiers})


def _holder(ctx: _Transcript, person: dict[str, Any], warnings: list[str]) -> tuple[Holder, str]:
    group, fields = ctx.group, ctx.fields
    name_node = fields(person.get("Name"))
    first = _s(name_node.get("FirstName"))
    last = _s(name_node.get("LastName"))
    middles = [m for m in (_s(x) for x in _list(name_node.get("MiddleName"))) if m]
    suffix = _s(name_node.get("NameSuffix"))
    full = " ".join(p for p in (first, *middles, last, suffix) if p) or _s(name_node.get("CompositeName"))
    if not full:
        full = "Unnamed student"
        warnings.append("the transcript names no student (Person/Name is empty)")
    birth = fields(person.get("Birth"))
    birth_date = _date(_s(birth.get("BirthDate")), "BirthDate", warnings)
    ids: list[dict[str, str]] = []
    for key, scheme in (("SchoolAssignedPersonID", "student_id"), ("AgencyAssignedID", "agency_id"),
                        ("RecipientAssignedID", "recipient_id")):
        value = _s(person.get(key))
        if value:
            ids.append({"scheme": scheme, "value": value})
    for agency in _list(person.get("AgencyIdentifier")):
        if not _is_node(agency):
            continue
        agency = group(agency)
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
        mails = group(contacts).get("Email") if _is_node(contacts) else None
        for mail in _list(mails):
            email = _s(group(mail).get("EmailAddress")) if _is_node(mail) else None
            if email:
                break
        if email:
            break
    holder = _validate_holder({
        "name": full, "given_name": first, "family_name": last, "birth_date": birth_date,
        "email": email, "identifiers": ids,
    })
    return holder, f"{full}|{birth_date or ''}"


# ---------------------------------------------------------------------------------------
# The mapper
# ---------------------------------------------------------------------------------------

class _Transcript:
    """What every record of one transcript shares."""

    __slots__ = ("group", "pairs", "fmt", "version", "sha256", "prefix", "seen", "holder", "holder_key", "warnings",
                 "doc_results", "sender", "results", "_identifiers", "_credits", "dates")

    def __init__(self, reading: _Reading, document: Document, fmt: str, version: str, prefix: str,
                 seen: dict[str, int]):
        self.group = reading.group
        self.version = version
        self.pairs = reading.pairs
        self.fmt = fmt
        self.sha256 = document.sha256
        self.prefix = prefix
        self.seen = seen
        self.holder: Holder | None = None
        self.holder_key = ""
        self.warnings: list[str] = []
        #: what ends every record's results: the document id
        self.doc_results: list[Result] = []
        self.sender: Org | None = None
        # Validated once per distinct value and shared by the records of the document
        # (terms, grades, bases repeat): validation is kept, at a fraction of the cost.
        self.results: dict[tuple[str, str], Result] = {}
        self._identifiers: dict[tuple[str, str], Identifier] = {}
        self._credits: dict[tuple, Credit] = {}
        self.dates: dict[str, date] = {}

    def fields(self, value: Any) -> dict[str, Any]:
        """``group`` of the node a value holds; ``{}`` when it holds none."""
        node = _node(value)
        return {} if node is None else self.group(node)

    def date(self, text: str | None, what: str, warnings: list[str]) -> date | None:
        """:func:`_date`, remembered per text (a term's end date is every course's date);
        an unreadable date is parsed again so that each record gets its warning."""
        if not text:
            return None
        found = self.dates.get(text)
        if found is None:
            found = _date(text, what, warnings)
            if found is not None:
                self.dates[text] = found
        return found

    def result(self, name: str, value: str) -> Result:
        key = (name, value)
        found = self.results.get(key)
        if found is None:
            found = self.results[key] = _validate_result({"name": name, "value": value})
        return found

    def identifier(self, scheme: str, value: str) -> Identifier:
        key = (scheme, value)
        found = self._identifiers.get(key)
        if found is None:
            found = self._identifiers[key] = _validate_identifier({"scheme": scheme, "value": value})
        return found

    def credit(self, amount: float, unit: str, level: str | None, subject: str | None) -> Credit:
        key = (amount, unit, level, subject)
        found = self._credits.get(key)
        if found is None:
            found = self._credits[key] = _validate_credit(
                {"amount": amount, "unit": unit, "level": level, "subject": subject})
        return found

    def record(self, school: _School, key: str, achievement: dict[str, Any], issued_on: date | None,
               status: str, results: list[Result], locator: str, warnings: list[str]) -> CredentialRecord:
        rid = stable_id(school.issuer_key, key, self.holder_key, SOURCE_NAME)
        seen = self.seen
        count = seen.get(rid)
        if count is None:
            seen[rid] = 1
        else:  # the same course twice in one document: keep both, ids stay deterministic
            seen[rid] = count + 1
            rid = stable_id(school.issuer_key, key, self.holder_key, SOURCE_NAME, count + 1)
        return _validate_record({
            "id": rid,
            "holder": self.holder,
            "issuer": school.issuer,
            "achievement": achievement,
            "issued_on": issued_on,
            "status": status,
            "results": results,
            "source": {
                "plugin": SOURCE_NAME, "plugin_version": self.version, "format": self.fmt,
                "document_sha256": self.sha256, "locator": self.prefix + locator,
            },
            "warnings": school.warnings + warnings if warnings else school.warnings,
        })


class _School:
    """What every record of one AcademicRecord shares: its issuer, the results that follow
    the record's own (``results``, then the document id: ``tail``) and the warnings."""

    __slots__ = ("issuer", "issuer_key", "results", "tail", "warnings")

    def __init__(self, org: Org, issuer: Issuer, results: list[Result], tail: list[Result], warnings: list[str]):
        self.issuer = issuer
        self.issuer_key = org.key
        self.results = results
        self.tail = tail
        self.warnings = warnings


def map_transcript(node: Any, reading: _Reading, *, document: Document, fmt: str, plugin_version: str, prefix: str = "",
                   seen: dict[str, int] | None = None, warning: str | None = None) -> Iterator[CredentialRecord]:
    """Records of one CollegeTranscript node (an lxml element or a JSON object)."""
    ctx = _Transcript(reading, document, fmt, plugin_version, prefix, {} if seen is None else seen)
    group = ctx.group
    if warning:
        ctx.warnings.append(warning)
    t = group(node)
    td = _node(t.get("TransmissionData"))
    if td is None:
        ctx.warnings.append(
            "the transcript has no TransmissionData (required): sender, document id and creation "
            "date are unknown")
    else:
        td = group(td)
        doc_id = _s(td.get("DocumentID"))
        if doc_id:
            ctx.doc_results.append(ctx.result("document_id", doc_id))
        org = ctx.fields(ctx.fields(td.get("Source")).get("Organization"))
        if org:
            ctx.sender = Org(org, group)
        else:
            ctx.warnings.append("TransmissionData names no Source organization (the sender is unknown)")
    student = _node(t.get("Student"))
    if student is None:
        raise MalformedError(f"{document.name}: the transcript has no Student")
    student = group(student)
    person = _node(student.get("Person"))
    if person is None:
        ctx.warnings.append("the transcript has no Student/Person: the holder is unknown")
    else:
        ctx.holder, ctx.holder_key = _holder(ctx, group(person), ctx.warnings)

    sender = ctx.sender
    sender_issuer = sender.issuer() if sender else None
    for i, ar in enumerate(_list(student.get("AcademicRecord")), 1):
        if not _is_node(ar):
            continue
        ar = group(ar)
        base = f"Student/AcademicRecord[{i}]"
        school_node = _node(ar.get("School"))
        ar_results: list[Result] = []
        ar_warnings: list[str] = []
        if school_node is not None:
            org = Org(group(school_node), group)
            issuer = org.issuer()
            if org.override_code == "Transfer":
                ar_results.append(ctx.result("transfer", "true"))
            if sender is not None and sender.key != org.key:
                ar_results.append(ctx.result("reported_by", sender.name or sender.key))
        elif sender is not None:
            org, issuer = sender, sender_issuer
        else:
            org = Org({"OrganizationName": "Unknown institution"}, _as_is)
            issuer = org.issuer()
            ar_warnings.append(
                "issuer unknown: the AcademicRecord has no School and the transcript has no "
                "TransmissionData/Source")
        assert issuer is not None
        school = _School(org, issuer, ar_results, ar_results + ctx.doc_results, ctx.warnings + ar_warnings)

        for j, award in enumerate(_list(ar.get("AcademicAward")), 1):
            if _is_node(award):
                yield _award(ctx, school, award, f"{base}/AcademicAward[{j}]")
        for j, session in enumerate(_list(ar.get("AcademicSession")), 1):
            if not _is_node(session):
                continue
            session = group(session)
            sbase = f"{base}/AcademicSession[{j}]"
            term = _session(ctx, school, session)
            for k, award in enumerate(_list(session.get("AcademicAward")), 1):
                if _is_node(award):
                    yield _award(ctx, school, award, f"{sbase}/AcademicAward[{k}]")
            for k, course in enumerate(_list(session.get("Course")), 1):
                if _is_node(course):
                    yield _course(ctx, school, course, term, f"{sbase}/Course[{k}]")
        courses = _list(ar.get("Course"))
        if courses:
            no_term = _Term("", [], None, school.tail)
            for j, course in enumerate(courses, 1):
                if _is_node(course):
                    yield _course(ctx, school, course, no_term, f"{base}/Course[{j}]")


class _Term:
    """A session's key, results and end date; ``tail``: the results that follow a course's
    own (the term's, the AcademicRecord's, the document id)."""

    __slots__ = ("key", "results", "end", "tail")

    def __init__(self, key: str, results: list[Result], end: str | None, tail: list[Result]):
        self.key = key
        self.results = results
        self.end = end
        self.tail = results + tail


_TERM_FIELDS = (("SessionDesignator", "term"), ("SessionDesignatorSuffix", "term_suffix"),
                ("SessionName", "session_name"), ("SessionType", "session_type"),
                ("SessionBeginDate", "session_begin"), ("SessionEndDate", "session_end"))


def _session(ctx: _Transcript, school: _School, session: dict[str, Any]) -> _Term:
    detail = ctx.fields(session.get("AcademicSessionDetail"))
    results = []
    for key, name in _TERM_FIELDS:
        value = _s(detail.get(key))
        if value is not None:
            results.append(ctx.result(name, value))
    other = _node(session.get("School"))
    if other is not None:  # a session taken elsewhere (transfer work listed by the sender)
        org = Org(ctx.group(other), ctx.group)
        if org.override_code == "Transfer":
            results.append(ctx.result("transfer", "true"))
        results.extend(org.results("transfer_school" if org.override_code == "Transfer" else "session_school",
                                   ctx.result))
    key = f"{_s(detail.get('SessionDesignator')) or ''}/{_s(detail.get('SessionDesignatorSuffix')) or ''}"
    return _Term(key, results, _s(detail.get("SessionEndDate")), school.tail)


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
#: one dispatch table for the single pass over a course's children: element -> (what, name);
#: 0 a result, 1 an identifier, 2 read below; 3-5 may repeat and are read after the pass
_COURSE_MAP: dict[str | None, tuple[int, str]] = {key: (0, name) for key, name in _COURSE_FIELDS}
_COURSE_MAP.update({key: (1, scheme) for key, scheme in _COURSE_CODES})
_COURSE_MAP.update({"CourseSubjectAbbreviation": (2, ""), "CourseNumber": (2, ""), "CourseTitle": (2, ""),
                    "NoteMessage": (3, ""), "CourseOverrideSchool": (4, ""), "UserDefinedExtensions": (5, "")})

# the code lists a course reads, bound here (read once per course)
_IN_PROGRESS_STATUS = codes.IN_PROGRESS_STATUS
_IN_PROGRESS_GRADES = codes.IN_PROGRESS_GRADES
_IN_PROGRESS_SCALES = codes.IN_PROGRESS_SCALES
_CREDIT_UNITS = codes.CREDIT_UNITS
_CREDIT_LEVELS = codes.CREDIT_LEVELS


def _course(ctx: _Transcript, school: _School, node: Any, term: _Term, locator: str) -> CredentialRecord:
    results: list[Result] = []
    add = results.append
    cache = ctx.results
    #: element -> its text; a repeated element is read once, where it first appears
    got: dict[str, str | None] = {}
    codes_found: list[Any] = []
    repeatable: dict[str, list[Any]] | None = None
    dispatch = _COURSE_MAP.get
    # one pass over the children that are there (a course has ~10 of ~40 possible)
    for name, raw in ctx.pairs(node):
        what = dispatch(name)
        if what is None:
            continue
        if raw.__class__ is _Element and not len(raw):
            raw = raw.text
        kind, field = what
        if kind < 3:
            if name in got:
                continue
            value = got[name] = (raw.strip() or None) if raw.__class__ is str else _s(raw)
            if value is None:
                continue
            if kind == 0:
                found = cache.get((field, value))
                add(found if found is not None else ctx.result(field, value))
            elif kind == 1:
                codes_found.append(ctx.identifier(field, value))
        elif repeatable is None:
            repeatable = {name: [raw]}
        elif name in repeatable:
            repeatable[name].append(raw)
        else:
            repeatable[name] = [raw]
    warnings: list[str] = []
    subject = got.get("CourseSubjectAbbreviation")
    number = got.get("CourseNumber")
    title = got.get("CourseTitle")
    code = f"{subject} {number}" if subject and number else (subject or number)
    if code:  # one per course: validated with the record
        codes_found.insert(0, {"scheme": "course_code", "value": code})
    elif not title:
        warnings.append("the course has no subject, number or title")
    status_code = got.get("CourseAcademicGradeStatusCode")
    in_progress = status_code in _IN_PROGRESS_STATUS or (
        status_code is None and got.get("CourseAcademicGrade") in _IN_PROGRESS_GRADES
        and (got.get("CourseAcademicGradeScaleCode") or "500") in _IN_PROGRESS_SCALES)

    credit = []
    earned_raw = got.get("CourseCreditEarned")
    if earned_raw is not None and not in_progress:
        unit_raw = got.get("CourseCreditUnits")
        unit = _CREDIT_UNITS.get(unit_raw) if unit_raw else None
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
            credit.append(ctx.credit(amount, unit, _CREDIT_LEVELS.get(got.get("CourseCreditLevel") or ""), subject))

    if repeatable is None:
        results += term.tail
    else:  # notes, another school, extensions: after the term's and the record's results
        results += term.results
        results += school.results
        for name, raws in repeatable.items():
            _repeatable(ctx, name, raws, add)
        results += ctx.doc_results

    issued = None
    if not in_progress:
        end = got.get("CourseEndDate") or term.end
        if end:
            issued = ctx.dates.get(end) or ctx.date(end, "course end date", warnings)
    return ctx.record(
        school, f"course|{code or ''}|{title or ''}|{term.key}",
        {"kind": "course", "title": title or code or "Untitled course",
         "description": f"{code} {title}" if code and title else None,
         "identifiers": codes_found, "credit": credit},
        issued, "in_progress" if in_progress else "active", results, locator, warnings,
    )


def _repeatable(ctx: _Transcript, name: str, raws: list[Any], add: Any) -> None:
    """A course's NoteMessages (each), CourseOverrideSchool or UserDefinedExtensions (the first)."""
    if name == "NoteMessage":
        for raw in raws:
            for note in _list(raw):
                text = _s(note)
                if text:
                    add(ctx.result("note", text))
    elif name == "CourseOverrideSchool":
        override = _node(raws[0])
        if override is not None:
            for item in Org(ctx.group(override), ctx.group).results("override_school", ctx.result):
                add(item)
    else:
        ude = _node(raws[0])
        if ude is not None:
            _extensions(ctx.group, ude, lambda n, v: add(ctx.result(n, v)))


def _extensions(group: Any, ude: Any, add: Any) -> None:
    """UserDefinedExtensions as opaque results: ``ccc.<Element>`` for the eTranscript CA UDE."""
    for container, body in group(ude).items():
        prefix = "ccc" if "CCC" in container else f"ext.{container}"
        _flatten(group, body, prefix, add)


def _flatten(group: Any, body: Any, name: str, add: Any) -> None:
    if _is_node(body):
        for key, value in group(body).items():
            _flatten(group, value, f"{name}.{key}", add)
    elif body.__class__ is list:
        for value in body:
            _flatten(group, value, name, add)
    else:
        text = _s(body)
        if text is not None:
            add(name, text)


def _award(ctx: _Transcript, school: _School, node: Any, locator: str) -> CredentialRecord:
    group = ctx.group
    a = group(node)
    warnings: list[str] = []
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
        if _is_node(honors):
            honors = group(honors)
            text = _s(honors.get("HonorsTitle"))
            honors_level = _s(honors.get("HonorsLevel"))
            if text or honors_level:
                add("honors", f"{text} ({honors_level})" if text and honors_level else (text or honors_level))
    identifiers = []
    for program in _list(a.get("AcademicAwardProgram")):
        if _is_node(program):
            program = group(program)
            for key, name in (("AcademicProgramName", "program"), ("AcademicProgramType", "program_type"),
                              ("ProgramCIPCode", "program_cip")):
                value = _s(program.get(key))
                if value:
                    add(name, value)
                    if name == "program_cip":
                        identifiers.append(ctx.identifier("cip", value))
    for requirement in _list(a.get("AcademicDegreeRequirement")):
        if _is_node(requirement):
            _flatten(group, requirement, "degree_requirement", add)
    for note in _list(a.get("NoteMessage")):
        text = _s(note)
        if text:
            add("note", text)
    results += school.tail
    if level:
        identifiers.append(ctx.identifier("pesc_award_level", level))

    issued = ctx.date(date_text, "AcademicAwardDate", warnings) or ctx.date(
        completion_date, "AcademicCompletionDate", warnings)
    return ctx.record(
        school, f"award|{level or ''}|{title or ''}|{date_text or ''}",
        {"kind": codes.award_kind(level),
         "title": title or label or "Academic award (no level, title or date given)",
         "description": label if title and label else None,
         "ctdl_type": codes.award_ctdl_type(level), "identifiers": identifiers},
        issued, "in_progress" if completion == "false" else "active", results, locator, warnings,
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


def _xml_transcripts(document: Document) -> list[tuple[Any, _Reading, str, str, str | None]]:
    """``[(node, reading, format, locator prefix, warning)]`` for an XML document."""
    root = document.xml()  # cached on the document: parsed once however often it is read
    root_name = local_name(root)
    if root_name == TRANSCRIPT:
        transcripts = [root]
    elif root_name in BATCH_ROOTS:
        transcripts = [el for el in root.iter() if local_name(el) == TRANSCRIPT]
        if not transcripts:
            raise UnrecognizedError(f"{document.name}: the {root_name} holds no CollegeTranscript")
    else:
        raise UnrecognizedError(f"{document.name}: XML root <{root_name}> is not a PESC CollegeTranscript")
    batch = len(transcripts) > 1 or root_name in BATCH_ROOTS
    out = []
    for n, element in enumerate(transcripts, 1):
        fmt, warning = _xml_format(element.tag)
        out.append((element, XML, fmt, f"{root_name}/CollegeTranscript[{n}]/" if batch else "", warning))
    return out


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


def _json_transcripts(document: Document) -> list[tuple[Any, _Reading, str, str, str | None]]:
    """``[(node, reading, format, locator prefix, warning)]`` for a JSON document."""
    data = document.json()
    transcripts = transcripts_in_json(data)
    reading = JSON
    if transcripts is None:
        from .jsonld import document_transcripts

        transcripts = document_transcripts(document)
        if transcripts is None:
            raise UnrecognizedError(f"{document.name}: JSON is not a PESC CollegeTranscript rendering")
        reading = SHAPED
    batch = len(transcripts) > 1
    return [(t, reading, fmt, f"CollegeTranscript[{n}]/" if batch else "", None)
            for n, (fmt, t) in enumerate(transcripts, 1)]


def parse_document(document: Document, plugin_version: str) -> Iterator[CredentialRecord]:
    """Records of a transcript document, stamped with ``plugin_version``; only
    :mod:`passport_hub.errors` errors escape."""
    try:
        transcripts = _json_transcripts(document) if document.looks_like_json() else _xml_transcripts(document)
        seen: dict[str, int] = {}
        for node, reading, fmt, prefix, warning in transcripts:
            yield from map_transcript(node, reading, document=document, fmt=fmt, plugin_version=plugin_version,
                                      prefix=prefix, seen=seen, warning=warning)
    except PassportHubError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise MalformedError(f"{document.name}: transcript too deeply nested or too large to read") from exc
    except Exception as exc:  # never let a bare exception escape parse
        raise MalformedError(
            f"{document.name}: could not be read as a PESC CollegeTranscript ({type(exc).__name__})",
            internal=f"{type(exc).__name__}: {exc}",
        ) from exc
