"""Joint Services Transcript text → plain structures (one dict per transcript).

Input is the page text from the core's extractor (pdfplumber lines rebuilt by position);
each page may carry word x positions (``PageText.lines``), used only to cut a line where
two columns share one baseline (the holder's name and the recipient college).

The layout rules come from ``formats/military_jst.md``: section markers on their own line,
ACE course IDs ``SS-NNNN-NNNN [Vnn]``, occupation IDs ``PPP-<designator>-NNN`` or
``NONE ASSIGNED``, credit lines ``<subject> <n> SH <L|U|V|G> [(M/YY)(M/YY)]``.
Unknown lines (page furniture, footers) are skipped. The output shape follows the
``.expected.json`` files of the synthetic samples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from passport_hub.dates import parse_date_ex

from .ids import COURSE_ID, OCC_ID, OCC_PREFIXES, RE_OCC_ID_PARTS

DATE = r"\d{1,2}-[A-Za-z]{3}-(?:\d{4}|\d{2})"

_COURSE_LINE = re.compile(rf"^(?P<id>{COURSE_ID})(?:\s+(?P<ver>V\d{{1,2}}))?(?:\s+(?P<rest>.*))?$")
_OCC_LINE = re.compile(rf"^(?P<id>{OCC_ID}|NONE ASSIGNED)\s+(?P<d1>{DATE})(?:\s*(?P<d2>{DATE}))?$")
_DATES_AT_END = re.compile(rf"^(?P<body>.*?)\s*(?P<d1>{DATE})(?:\s*(?P<d2>{DATE}))?$")
_REVIEW = r"\(\d{1,2}/\d{2}\)"
_REVIEW_LINE = re.compile(rf"^(?:{_REVIEW}\s*)+$")
_CREDIT_LINE = re.compile(
    rf"^(?P<subj>.*?)\s*(?P<n>\d+(?:\.\d+)?)\s*SH(?:\s+(?P<lvl>[A-Z]))?(?P<rev>(?:\s*{_REVIEW})*)\s*$")
_SKILL_LEVEL = re.compile(r"^Skill Level (?P<sl>\d{1,2})$", re.IGNORECASE)
_GRADE_LEVEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9 .]*?)\s*\((?P<pg>[EOW]-?\d{1,2})\)$")
_PAY_GRADE = re.compile(r"^(?:Pay Grade|Level)\s+(?P<pg>[EOWL]-?\d{1,2})$", re.IGNORECASE)
_RATE = re.compile(r"^[A-Z]{2,4}(?:[123]|C|CS|CM)$")
_TEST_LINE = re.compile(rf"^(?P<type>\S+)\s+(?P<title>.+?)\s+(?P<date>{DATE})(?:\s+(?P<score>.+))?$")
_OTHER_LINE = re.compile(rf"^(?P<num>\S+)\s+(?P<title>.+?)\s+(?P<d1>{DATE})(?:\s*(?P<d2>{DATE}))?$")
_SUMMARY_HEADER = re.compile(rf"^(?P<name>[A-Z][A-Z'.\- ]*,\s*[A-Z][A-Z'.\- ]*?)\s+(?P<date>{DATE})$")
_SUMMARY_COURSE = re.compile(
    rf"^(?P<id>{COURSE_ID})(?:\s+(?P<ver>V\d{{1,2}}))?\s+(?P<rest>.*?)\s*(?P<date>{DATE})?$")
_SUMMARY_CREDIT = re.compile(r"^(?P<subj>.+?)\s+(?P<n>\d+(?:\.\d+)?)\s+(?P<lvl>[A-Z])(?:\s+(?P<soc>[A-Z]{2,6}))?$")
_SUMMARY_TOTALS = re.compile(r"^Total Semester Hours Recommended by Level:\s*(?P<rest>.*)$", re.IGNORECASE)
_EDU_ROW = re.compile(
    rf"^(?P<id>[A-Z]{{2,5}}\s?\d{{2,4}}[A-Z]?)\s+(?P<title>.+?)\s+(?P<date>{DATE})\s+"
    r"(?P<sh>\d+(?:\.\d+)?)\s+(?P<grade>\S+)$")
_RANK = re.compile(r"^(?P<title>.*?)\s*(?P<pg>[EOW]-\d{1,2})\b\s*(?P<rest>.*)$")
_PAGE_FOOTER = re.compile(r"^Page (?P<n>\d+) of (?P<m>\d+)$", re.IGNORECASE)
_NAME = re.compile(r"^(?P<last>[^,]+),\s*(?P<first>\S+)(?:\s+(?P<middle>.+))?$")

NO_CREDIT_NOT_RECOMMENDED = "Credit Is Not Recommended"
NO_CREDIT_ASSESSMENT = "individualized assessment"

FURNITURE = {"** PRIVACY ACT INFORMATION **", "OFFICIAL", "UNOFFICIAL", "NOT OFFICIAL"}
#: column headings (skipped; never keyed on for structure)
HEADINGS = (
    "ACE Identifier",
    "Credit Recommendation Level of Credit",
    "Test Test Title",
    "Military Course ID Title",
    "Subject SH Level",
    "Course Title Date SH Grade",
    "This summary is not official",
)
SECTIONS = {
    "military courses": "Military Courses",
    "military course completions": "Military Courses",
    "military experience": "Military Experience",
    "college level test scores": "College Level Test Scores",
    "other learning experiences": "Other Learning Experiences",
    "end of transcript": "END OF TRANSCRIPT",
    "summary": "SUMMARY",
    "education": "EDUCATION",
}

BRANCH_BY_PREFIX = {
    "AR": "Army", "MOS": "Army",
    "NV": "Navy", "NER": "Navy", "NEC": "Navy", "NWO": "Navy", "LDO": "Navy",
    "MC": "Marine Corps", "MCE": "Marine Corps", "MCO": "Marine Corps",
    "CG": "Coast Guard", "CGA": "Coast Guard", "CGR": "Coast Guard", "CGW": "Coast Guard",
    "AF": "Air Force", "DD": "Department of Defense",
}
SERVICE_BRANCHES = ("Army", "Navy", "Marine Corps", "Coast Guard")
LEVELS = {"L": "lower_division", "U": "upper_division", "V": "vocational", "G": "graduate"}


def norm(text: str) -> str:
    """Unicode whitespace (NBSP, thin spaces, tabs) → one space; trimmed."""
    return " ".join(text.split())


def is_no_credit_text(text: str) -> str | None:
    low = text.lower()
    if NO_CREDIT_ASSESSMENT in low:
        return text
    if NO_CREDIT_NOT_RECOMMENDED.lower() in low:
        return NO_CREDIT_NOT_RECOMMENDED
    return None


@dataclass
class Line:
    page: int  # 1-based
    number: int  # 1-based within the page's extracted text
    text: str
    segments: list[str]

    @property
    def locator(self) -> str:
        return f"page {self.page}, line {self.number}"


@dataclass
class Transcript:
    lines: list[Line] = field(default_factory=list)
    first_page: int = 1
    last_page: int = 1


class Dates:
    """Collects parsed dates and warns on two-digit years."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings

    def __call__(self, text: str | None, where: str) -> str | None:
        if not text:
            return None
        try:
            parsed = parse_date_ex(text)
        except ValueError as exc:
            self.warnings.append(f"{where}: {exc}")
            return None
        if parsed.two_digit_year:
            self.warnings.append(f"{where}: two-digit year in {text!r} read as {parsed.value.isoformat()}")
        return parsed.value.isoformat()


def page_lines(pages: list[str]) -> list[Line]:
    out: list[Line] = []
    for p, page in enumerate(pages, start=1):
        positional = getattr(page, "segments", None)
        for i, raw in enumerate(page.split("\n")):
            text = norm(raw)
            if not text:
                continue
            segs = [norm(s) for s in positional(i, gap=24.0)] if positional else [text]
            out.append(Line(p, i + 1, text, [s for s in segs if s] or [text]))
    return out


def looks_like_jst(text: str) -> bool:
    """Cheap test on all the PDF's text: a TRANSCRIPT block with JST section markers."""
    lines = {norm(x).lower() for x in text.split("\n")}
    if "transcript" not in lines:
        return False
    markers = sum(1 for k in ("military courses", "military course completions", "military experience",
                              "college level test scores", "other learning experiences",
                              "end of transcript") if k in lines)
    has_name = any(x.startswith("name:") for x in lines)
    return markers >= 2 and has_name


def split_transcripts(lines: list[Line], page_count: int) -> list[Transcript]:
    starts = [i for i, ln in enumerate(lines) if ln.text.upper() == "TRANSCRIPT"]
    out: list[Transcript] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        first_page = lines[start].page
        last_page = (lines[starts[k + 1]].page - 1) if k + 1 < len(starts) else page_count
        # furniture printed above TRANSCRIPT on its first page belongs to this transcript
        pre = [ln for ln in lines[:start] if ln.page == first_page and (k == 0 or ln.page > lines[starts[k - 1]].page)]
        out.append(Transcript(lines=pre + lines[start:end], first_page=first_page,
                              last_page=max(first_page, last_page)))
    return out


def _credit(subject: str, n: str, level: str | None) -> dict:
    hours = float(n)
    return {"subject": subject, "semester_hours": int(hours) if hours.is_integer() else hours, "level": level}


def _totals(credits: list[dict]) -> dict:
    totals = {"L": 0, "U": 0, "V": 0, "G": 0}
    for c in credits:
        if c["level"] in totals:
            totals[c["level"]] += c["semester_hours"]
    return totals


class TranscriptParser:
    def __init__(self, transcript: Transcript):
        self.t = transcript
        self.warnings: list[str] = []
        #: lines that fit no rule (page furniture, footers): skipped, listed for a reviewer
        self.skipped: list[str] = []
        self.date = Dates(self.warnings)
        self.sections: list[str] = []
        self.holder: dict = {"name": None, "last_name": None, "first_name": None, "middle_name": None,
                             "rank": None, "rank_title": None, "pay_grade": None, "status": None,
                             "ssn_masked": None, "birth_date": None, "time_in_service": None}
        self.recipient: dict | None = None
        self.official: bool | None = None
        self.courses: list[dict] = []
        self.occupations: list[dict] = []
        self.tests: list[dict] = []
        self.other: list[dict] = []
        self.summary: dict = {"present": False}
        self.education: list[dict] | None = None
        self.name_line: Line | None = None
        self.ended = False

    # ---- helpers ------------------------------------------------------------------
    def _flag_credit(self, m: re.Match, line: Line) -> str | None:
        lvl = m["lvl"]
        if lvl is None:
            self.warnings.append(f"{line.locator}: credit line without a level (L/U/V/G); level left empty")
            return None
        if lvl not in LEVELS:
            self.warnings.append(f"{line.locator}: credit level {lvl!r} is not one of L/U/V/G; level left empty")
            return None
        return lvl

    # ---- main loop ----------------------------------------------------------------
    def parse(self) -> dict:
        section = "personal"
        current: dict | None = None  # the open course / occupation / other / summary entry
        level: dict | None = None
        orphan: Line | None = None
        footer_page = 0
        for line in self.t.lines:
            text = line.text
            low = text.lower()
            if line.page == footer_page:  # below "Page n of m": page furniture
                self.skipped.append(f"{line.locator}: {text}")
                continue
            if _PAGE_FOOTER.match(text):
                footer_page = line.page
                continue
            if text in FURNITURE:
                if text in ("OFFICIAL", "UNOFFICIAL") and not self.ended and self.official is None:
                    self.official = text == "OFFICIAL"
                continue
            if text.upper() == "TRANSCRIPT":
                continue
            if low in SECTIONS:
                section = SECTIONS[low]
                if section not in self.sections:
                    self.sections.append(section)
                if orphan is not None:
                    self._skipped(orphan)
                current, level, orphan = None, None, None
                if section == "END OF TRANSCRIPT":
                    self.ended = True
                elif section == "SUMMARY":
                    self.summary = {"present": True, "official": False, "header_name": None,
                                    "birth_date": None, "entries": [], "totals_by_level": None}
                elif section == "EDUCATION":
                    self.education = []
                continue
            if any(text.startswith(h) for h in HEADINGS):
                continue
            if section == "personal":
                self._personal(line)
            elif section == "Military Courses":
                current, orphan = self._course_line(line, current, orphan)
            elif section == "Military Experience":
                current, level, orphan = self._occupation_line(line, current, level, orphan)
            elif section == "College Level Test Scores":
                self._test_line(line)
            elif section == "Other Learning Experiences":
                current = self._other_line(line, current)
            elif section == "SUMMARY":
                current = self._summary_line(line, current)
            elif section == "EDUCATION":
                current = self._education_line(line, current)
        if orphan is not None:
            self._skipped(orphan)
        return self._finish()

    # ---- personal block -----------------------------------------------------------
    def _personal(self, line: Line) -> None:
        first = line.segments[0]
        rest = line.segments[1:]
        if first.startswith("Name:"):
            self.name_line = line
            self._set_name(norm(first[5:]))
            if rest:
                self._set_recipient(" ".join(rest))
        elif first.startswith("SSN:"):
            # only the fact that a masked SSN is printed is kept; never its digits
            self.holder["ssn_masked"] = norm(first[4:]).split(" ")[0] or None
            self._address(rest)
        elif first.startswith("Rank:"):
            value = norm(first[5:])
            m = _RANK.match(value)
            if m:
                self.holder["rank_title"] = m["title"] or None
                self.holder["pay_grade"] = m["pg"]
                self.holder["rank"] = norm(f"{m['title']} {m['pg']}")
                if m["rest"]:
                    rest = [m["rest"], *rest]
            else:
                self.holder["rank"] = value or None
            self._address(rest)
        elif first.startswith("Status:"):
            self.holder["status"] = norm(first[7:]) or None
            self._address(rest)
        elif first.lower().startswith("time in service:"):
            self.holder["time_in_service"] = norm(first[16:]) or None
        elif self.recipient is not None and len(line.segments) == 1:
            self.recipient.setdefault("address", []).append(first)

    def _set_name(self, name: str) -> None:
        self.holder["name"] = name
        m = _NAME.match(name)
        if m:
            self.holder["last_name"] = m["last"].strip()
            self.holder["first_name"] = m["first"]
            self.holder["middle_name"] = m["middle"]
        else:
            self.warnings.append(f"holder name {name!r} is not in the LAST, FIRST MIDDLE form")

    def _set_recipient(self, printed: str) -> None:
        self.recipient = {"name": norm(re.sub(r"\([^)]*\)\s*$", "", printed)), "printed_with_suffix": printed}

    def _address(self, parts: list[str]) -> None:
        if parts and self.recipient is not None:
            self.recipient.setdefault("address", []).append(" ".join(parts))

    # ---- Military Courses ---------------------------------------------------------
    def _course_line(self, line: Line, current: dict | None, orphan: Line | None):
        text = line.text
        m = _COURSE_LINE.match(text)
        if m:
            if orphan is not None:
                self._skipped(orphan)
            course = {"ace_id": m["id"], "version": m["ver"], "military_course_number": None, "title": "",
                      "start_date": None, "end_date": None, "dates_as_printed": [],
                      "credit_recommendations": [], "total_semester_hours": 0, "review_dates": [],
                      "no_credit": False, "no_credit_text": None, "_locator": line.locator,
                      "_title_open": True}
            if m["ver"] is None:
                self.warnings.append(f"{line.locator}: {m['id']} printed without a version; "
                                     "match the ACE exhibit by ID + dates")
            rest = m["rest"] or ""
            number = None
            # the course number is its own column: use positions when the line has them
            if len(line.segments) >= 3 and line.segments[0].startswith(m["id"]):
                seg0 = line.segments[0]
                if seg0 == norm(f"{m['id']} {m['ver'] or ''}") and rest.startswith(line.segments[1]):
                    number = line.segments[1]
                    rest = rest[len(number):].strip()
            if number is None and rest:
                number, _, rest = rest.partition(" ")
            course["military_course_number"] = number or None
            self._title_and_dates(course, rest, line)
            self.courses.append(course)
            return course, None
        if current is None:
            return current, orphan
        return self._credit_block_line(line, current, orphan, title_key="title")

    def _title_and_dates(self, entry: dict, text: str, line: Line) -> None:
        dm = _DATES_AT_END.match(text)
        if dm and not entry["dates_as_printed"]:
            entry["dates_as_printed"] = [d for d in (dm["d1"], dm["d2"]) if d]
            entry["start_date"] = self.date(dm["d1"], line.locator)
            entry["end_date"] = self.date(dm["d2"], line.locator) if dm["d2"] else None
            text = dm["body"]
        entry["title"] = norm(f"{entry['title']} {text}")

    def _credit_block_line(self, line: Line, current: dict, orphan: Line | None, title_key: str,
                           target: dict | None = None):
        """A line inside a course (or an occupation level): credit, review dates, no-credit, wrap.

        A line that fits nothing is held as a possible first half of a subject wrapped onto
        the next line; it joins only a credit line printed right below it on the same page.
        """
        text = line.text
        target = target if target is not None else current
        if orphan is not None and not (orphan.page == line.page and orphan.number + 1 == line.number
                                       and _CREDIT_LINE.match(text)):
            self._skipped(orphan)
            orphan = None
        if _REVIEW_LINE.match(text):
            current["review_dates"] = re.findall(r"\((\d{1,2}/\d{2})\)", text)
            current["_title_open"] = False
            return current, None
        cm = _CREDIT_LINE.match(text)
        if cm:
            current["_title_open"] = False
            subject = norm(f"{orphan.text if orphan else ''} {cm['subj']}")
            if cm["rev"]:
                current["review_dates"] = re.findall(r"\((\d{1,2}/\d{2})\)", cm["rev"])
            hours = float(cm["n"])
            nc = is_no_credit_text(subject)
            if nc or hours == 0:
                target["no_credit_text"] = nc or subject
                return current, None
            if not subject:
                self.warnings.append(f"{line.locator}: credit line without a subject skipped")
                return current, None
            target["credit_recommendations"].append(_credit(subject, cm["n"], self._flag_credit(cm, line)))
            return current, None
        nc = is_no_credit_text(text)
        if nc:
            current["_title_open"] = False
            target["no_credit_text"] = nc
            return current, None
        if current.get("_title_open") and title_key:
            self._title_and_dates(current, text, line)
            return current, None
        return current, line

    def _skipped(self, line: Line) -> None:
        self.skipped.append(f"{line.locator}: {line.text}")

    # ---- Military Experience ------------------------------------------------------
    def _occupation_line(self, line: Line, current: dict | None, level: dict | None, orphan: Line | None):
        text = line.text
        m = _OCC_LINE.match(text)
        if m:
            if orphan:
                self._skipped(orphan)
            occ = {"ace_id": None, "ace_id_as_printed": m["id"], "occupation_type": None, "designator": None,
                   "version": None, "code": None, "title": None, "start_date": self.date(m["d1"], line.locator),
                   "end_date": self.date(m["d2"], line.locator) if m["d2"] else None, "description": None,
                   "levels": [], "credit_recommendations_deduplicated": [], "review_dates": [],
                   "no_credit": True, "_locator": line.locator, "_state": "title", "_suffix": None}
            pm = RE_OCC_ID_PARTS.match(m["id"])
            if pm:
                occ.update(ace_id=m["id"], occupation_type=pm["type"], designator=pm["des"],
                           version=pm["ver"], code=pm["des"], _suffix=pm["sfx"])
            self.occupations.append(occ)
            return occ, None, None
        if current is None:
            return current, level, orphan
        if current["_state"] == "title":
            current["title"] = text
            current["_state"] = "description"
            if current["ace_id"] is None:
                tm = re.match(rf"^(?P<type>{'|'.join(OCC_PREFIXES)})\s+(?P<code>[A-Z0-9]+)\b", text)
                if tm:
                    current["occupation_type"], current["code"] = tm["type"], tm["code"]
            return current, level, None
        new_level = self._level_heading(text)
        if new_level is not None:
            if orphan is not None:
                self._skipped(orphan)
            current["levels"].append(new_level)
            current["_state"] = "levels"
            return current, new_level, None
        if current["_state"] == "description":
            if _REVIEW_LINE.match(text) or _CREDIT_LINE.match(text) or is_no_credit_text(text):
                current["_state"] = "levels"
            else:
                current["description"] = norm(f"{current['description'] or ''} {text}")
                return current, level, None
        if level is None:
            # recommendations printed without a level heading
            level = {"label": None, "skill_level": None, "pay_grade": None, "rate": None, "rank_title": None,
                     "credit_recommendations": [], "no_credit": True, "no_credit_text": None}
            current["levels"].append(level)
        current["_title_open"] = False
        cur, orphan = self._credit_block_line(line, current, orphan, title_key="", target=level)
        return cur, level, orphan

    @staticmethod
    def _level_heading(text: str) -> dict | None:
        base = {"label": text, "skill_level": None, "pay_grade": None, "rate": None, "rank_title": None,
                "credit_recommendations": [], "no_credit": True, "no_credit_text": None}
        if m := _SKILL_LEVEL.match(text):
            return {**base, "skill_level": m["sl"]}
        if m := _GRADE_LEVEL.match(text):
            pg = m["pg"] if "-" in m["pg"] else f"{m['pg'][0]}-{m['pg'][1:]}"
            label = norm(m["label"])
            if _RATE.match(label):
                return {**base, "pay_grade": pg, "rate": label}
            return {**base, "pay_grade": pg, "rank_title": label}
        if m := _PAY_GRADE.match(text):
            pg = m["pg"].upper()
            pg = pg if "-" in pg else f"{pg[0]}-{pg[1:]}"
            return {**base, "pay_grade": pg}
        return None

    # ---- tests, other learning ----------------------------------------------------
    def _test_line(self, line: Line) -> None:
        m = _TEST_LINE.match(line.text)
        if not m:
            return
        self.tests.append({"test_type": m["type"], "title": norm(m["title"]),
                           "date": self.date(m["date"], line.locator),
                           "score": norm(m["score"]) if m["score"] else None, "_locator": line.locator})

    def _other_line(self, line: Line, current: dict | None):
        m = _OTHER_LINE.match(line.text)
        if m:
            entry = {"military_course_number": m["num"], "title": norm(m["title"]),
                     "start_date": self.date(m["d1"], line.locator),
                     "end_date": self.date(m["d2"], line.locator) if m["d2"] else None,
                     "no_credit": True, "_locator": line.locator}
            self.other.append(entry)
            return entry
        if current is not None:  # wrapped title
            current["title"] = norm(f"{current['title']} {line.text}")
        return current

    # ---- SUMMARY / EDUCATION ------------------------------------------------------
    def _summary_line(self, line: Line, current: dict | None):
        text = line.text
        s = self.summary
        if s["header_name"] is None and (m := _SUMMARY_HEADER.match(text)):
            s["header_name"] = norm(m["name"])
            s["birth_date"] = self.date(m["date"], line.locator)
            return None
        if m := _SUMMARY_TOTALS.match(text):
            s["totals_by_level"] = {k: int(v) for k, v in re.findall(r"\b([LUVG])\s+(\d+)", m["rest"])}
            return None
        if m := _SUMMARY_COURSE.match(text):
            rest = m["rest"]
            number, _, title = rest.partition(" ")
            entry = {"ace_id": m["id"], "version": m["ver"], "military_course_number": number or None,
                     "title": norm(title), "date": self.date(m["date"], line.locator),
                     "credit_recommendations": [], "_open": True}
            s["entries"].append(entry)
            return entry
        if current is None:
            return None
        if m := _SUMMARY_CREDIT.match(text):
            current["_open"] = False
            current["credit_recommendations"].append(
                {**_credit(norm(m["subj"]), m["n"], m["lvl"] if m["lvl"] in LEVELS else None),
                 "soc_code": m["soc"]})
            return current
        if current["_open"]:
            dm = _DATES_AT_END.match(text)
            if dm and current["date"] is None:
                current["date"] = self.date(dm["d1"], line.locator)
                text = dm["body"]
            current["title"] = norm(f"{current['title']} {text}")
        return current

    def _education_line(self, line: Line, current: dict | None):
        m = _EDU_ROW.match(line.text)
        if m and current is not None:
            sh = float(m["sh"])
            self.education.append({"institution": current["institution"], "course_id": m["id"],
                                   "title": norm(m["title"]), "date": self.date(m["date"], line.locator),
                                   "semester_hours": sh, "grade": m["grade"], "_locator": line.locator})
            return current
        if not m and not re.search(DATE, line.text) and not line.text.lower().startswith("academic institution"):
            return {"institution": line.text}
        return current

    # ---- finishing ----------------------------------------------------------------
    def _finish(self) -> dict:
        h = self.holder
        # name and college on one line without position info: the SUMMARY header names the holder
        if self.summary.get("header_name") and h["name"] and self.recipient is None:
            header = self.summary["header_name"]
            if h["name"] != header and h["name"].startswith(header + " "):
                printed = h["name"][len(header):].strip()
                self._set_name(header)
                self._set_recipient(printed)
        if self.summary.get("birth_date"):
            h["birth_date"] = self.summary["birth_date"]
        for c in self.courses:
            c.pop("_title_open", None)
            c["total_semester_hours"] = sum(x["semester_hours"] for x in c["credit_recommendations"])
            c["no_credit"] = c["total_semester_hours"] == 0
            if not c["no_credit"]:
                c["no_credit_text"] = None
            elif c["no_credit_text"] is None:
                c["no_credit_text"] = "no credit recommendation printed"
        for o in self.occupations:
            o.pop("_state", None)
            o.pop("_title_open", None)
            seen: dict[tuple, dict] = {}
            for lv in o["levels"]:
                lv["no_credit"] = not lv["credit_recommendations"]
                if not lv["no_credit"]:
                    lv["no_credit_text"] = None
                for cr in lv["credit_recommendations"]:
                    key = (cr["subject"].casefold(), cr["level"])
                    if key not in seen:
                        seen[key] = dict(cr)
                    elif cr["semester_hours"] > seen[key]["semester_hours"]:
                        seen[key]["semester_hours"] = cr["semester_hours"]
            o["credit_recommendations_deduplicated"] = list(seen.values())
            o["no_credit"] = not seen
        self._reconcile()
        branch = self._branch()
        course_credits = [x for c in self.courses for x in c["credit_recommendations"]]
        no_credit_items = []
        for c in self.courses:
            if c["no_credit"]:
                no_credit_items.append({"section": "Military Courses", "ace_id": c["ace_id"],
                                        "version": c["version"], "title": c["title"],
                                        "reason": c["no_credit_text"]})
        for o in self.occupations:
            if o["no_credit"]:
                reason = next((lv["no_credit_text"] for lv in o["levels"] if lv["no_credit_text"]), None)
                if o["ace_id"] is None:
                    reason = "no ACE exhibit (NONE ASSIGNED)"
                no_credit_items.append({"section": "Military Experience", "ace_id": o["ace_id"],
                                        "version": o["version"], "title": o["title"],
                                        "reason": reason or "no credit recommendation printed"})
        for x in self.other:
            no_credit_items.append({"section": "Other Learning Experiences", "ace_id": None, "version": None,
                                    "title": x["title"], "reason": "not evaluated by ACE"})
        return {
            "page_range": [self.t.first_page, self.t.last_page],
            "service_branch": branch,
            "official": self.official,
            "holder": h,
            "recipient_institution": (
                {"name": self.recipient["name"], "printed_with_suffix": self.recipient["printed_with_suffix"]}
                if self.recipient else None),
            "military_courses": self.courses,
            "military_experience": self.occupations,
            "college_level_test_scores": self.tests,
            "other_learning_experiences": self.other,
            "summary": self.summary,
            "academic_institution_courses": self.education,
            "no_credit_items": no_credit_items,
            "sections_present": self.sections,
            "course_credit_totals_by_level": _totals(course_credits),
            "ended": self.ended,
            "warnings": self.warnings,
            "skipped_lines": self.skipped,
            "_name_locator": self.name_line.locator if self.name_line else None,
        }

    def _branch(self) -> str | None:
        def vote(ids: list[str]) -> str | None:
            counts: dict[str, int] = {}
            for i in ids:
                b = BRANCH_BY_PREFIX.get(i.split("-")[0])
                if b in SERVICE_BRANCHES:
                    counts[b] = counts.get(b, 0) + 1
            return max(counts, key=lambda k: counts[k]) if counts else None

        # an occupation is the member's own service; courses may be taken at other services' schools
        return vote([o["ace_id"] for o in self.occupations if o["ace_id"]]) or vote(
            [c["ace_id"] for c in self.courses])

    def _reconcile(self) -> None:
        """Match each SUMMARY entry to its Military Courses entry by ID (+ version) + date.

        Reconciling never adds credit: a summary entry only confirms (or flags) a course.
        """
        for e in self.summary.get("entries", []):
            e.pop("_open", None)
            candidates = [c for c in self.courses if c["ace_id"] == e["ace_id"]
                          and (e["version"] is None or c["version"] == e["version"])]
            if len(candidates) > 1 and e["date"]:
                candidates = [c for c in candidates if e["date"] in (c["end_date"], c["start_date"])]
            if len(candidates) != 1:
                e["matches_course"] = None
                self.warnings.append(f"SUMMARY entry {e['ace_id']} ({e['date']}) matches "
                                     f"{len(candidates)} Military Courses entries; not used")
                continue
            course = candidates[0]
            e["matches_course"] = {"ace_id": course["ace_id"], "version": course["version"]}
            mine = sorted((x["subject"].casefold(), x["semester_hours"], x["level"])
                          for x in course["credit_recommendations"])
            theirs = sorted((x["subject"].casefold(), x["semester_hours"], x["level"])
                            for x in e["credit_recommendations"])
            if mine != theirs:
                course.setdefault("_warnings", []).append(
                    "the SUMMARY lists different credit for this course than the Military Courses section; "
                    "the Military Courses section is used")
            course["_soc"] = {x["subject"]: x["soc_code"] for x in e["credit_recommendations"] if x["soc_code"]}
        totals = self.summary.get("totals_by_level")
        if totals:
            mine = _totals([x for c in self.courses for x in c["credit_recommendations"]])
            if any(mine.get(k, 0) != v for k, v in totals.items()):
                self.warnings.append(f"SUMMARY totals {totals} differ from the Military Courses totals {mine}")


def parse_pages(pages: list[str]) -> list[dict]:
    """All transcripts in the PDF's pages, in order."""
    lines = page_lines(pages)
    return [TranscriptParser(t).parse() for t in split_transcripts(lines, len(pages))]
