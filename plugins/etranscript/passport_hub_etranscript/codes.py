"""PESC code lists the mapping needs: award levels, credit units and levels, grade status.

Award-level labels come from PESC's own code list (``data/pesc-jsonld_AcademicAwardLevels.csv``,
pesc-org/json-ld-transcript ``Vocabs/AcademicAwardLevels.csv``), which is a superset of
CoreMain v1.14's ``AcademicAwardLevelType``. The kind of each level (degree, certificate,
other) is ours: the code list does not say it.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

#: AcademicAwardLevel code -> record ``achievement.kind``. Codes not listed are ``other``.
_DEGREE = {"2.3", "2.4", "2.5", "3.1", "3.2", "4.2", "4.3", "4.4", "4.5",
           # IPEDS award levels
           "3", "5", "7", "9", "10", "17", "18", "19"}
_CERTIFICATE = {"1.1", "1.2", "2.0", "2.1", "2.2", "2.6", "2.7", "4.1",
                # IPEDS award levels
                "1", "2", "4", "6", "8", "11"}

#: CTDL class for the award levels where it is unambiguous.
_CTDL = {
    "2.3": "ceterms:AssociateDegree", "3": "ceterms:AssociateDegree",
    "2.4": "ceterms:BachelorDegree", "2.5": "ceterms:BachelorDegree", "5": "ceterms:BachelorDegree",
    "4.2": "ceterms:MasterDegree", "7": "ceterms:MasterDegree",
    "4.4": "ceterms:DoctoralDegree", "9": "ceterms:DoctoralDegree", "17": "ceterms:DoctoralDegree",
    "18": "ceterms:DoctoralDegree", "19": "ceterms:DoctoralDegree",
    "3.1": "ceterms:ProfessionalDoctorate", "10": "ceterms:ProfessionalDoctorate",
}
for _code in _CERTIFICATE:
    _CTDL.setdefault(_code, "ceterms:Certificate")

#: CourseCreditUnits / GPA CreditUnit -> record credit unit. Others are kept raw (no Credit).
CREDIT_UNITS = {
    "Semester": "semester_hours",
    "Quarter": "quarter_units",
    "Units": "units",
    "ClockHours": "clock_hours",
}

#: CourseCreditLevel -> record credit level (ACE's V/L/U/G). Others are kept raw in results.
CREDIT_LEVELS = {
    "LowerDivision": "lower_division",
    "UpperDivision": "upper_division",
    "Graduate": "graduate",
    "GraduateProfessional": "graduate",
    "Vocational": "vocational",
}

#: CourseAcademicGradeStatusCode values meaning the course is not finished.
IN_PROGRESS_STATUS = {"InProgress", "PlanningToTake", "NotYetReported"}
#: In-progress shown only by the grade (CCC: ``IP`` on EDI grade qualifier ``500``).
IN_PROGRESS_GRADES = {"IP"}
IN_PROGRESS_SCALES = {"500"}


@lru_cache(maxsize=1)
def award_level_labels() -> dict[str, str]:
    """Code -> readable label, from PESC's AcademicAwardLevels code list."""
    labels: dict[str, str] = {}
    text = resources.files(__package__).joinpath("data/pesc-jsonld_AcademicAwardLevels.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines(keepends=True)):
        if row.get("Type") != "Concept":
            continue
        code = (row.get("Notation") or "").strip()
        label = " ".join((row.get("Definition") or "").replace('"', "").split()).rstrip(",").strip()
        if code and label and label != code:
            labels[code] = label
        elif code:
            labels.setdefault(code, (row.get("Label") or code).strip())
    return labels


def award_kind(code: str | None) -> str:
    if code in _DEGREE:
        return "degree"
    if code in _CERTIFICATE:
        return "certificate"
    return "other"


def award_ctdl_type(code: str | None) -> str | None:
    return _CTDL.get(code) if code else None


def award_label(code: str | None) -> str | None:
    if not code:
        return None
    return award_level_labels().get(code)
