"""Fault inputs (fictional people) built in the researched layout; used by the tests and the bench."""

from __future__ import annotations

from military_jst_pdfs import (
    build,
    course,
    heading,
    occupation,
    page_break,
    personal,
    row,
    runs,
    transcript,
)
from reportlab.pdfbase.pdfmetrics import stringWidth


def _w(text: str) -> float:
    return stringWidth(text, "Helvetica", 8.5)


COURSE_HEAD = row((36, "ACE Identifier"), (122, "Military Course ID"), (200, "Title"), (400, "Dates Taken"))


def army_transcript() -> dict:
    body = personal("DOE,\u00a0CASEY M", "XXX-XX-4321", "Sergeant\u00a0E-5", "Active",
                    college="FICTIONAL RIVER COLLEGE (Office of the Registrar)")
    body += heading("Military Courses") + COURSE_HEAD
    # title and a credit subject split across separate text objects that touch
    body += runs((36, "AR-2201-0399 V01"), (122, "21-114"), (200, "BASIC COM"), (200 + _w("BASIC COM"), "BAT TRAINING"),
                 (400, "07-JUL-2003"), (456, "12-SEP-2003"))
    body += runs((210, "Physical Fit"), (210 + _w("Physical Fit"), "ness"), (400, "2 SH"), (436, "L"))
    body += row((210, "Military\u00a0Science"), (400, "1\u00a0SH"), (436, "L"))
    body += row((210, "(7/02)(7/05)"))
    # ACE ID without version; two-digit-year dates
    body += course("AR-2201-0455", "2E-F101", "BASIC AIRBORNE", "06-OCT-03", "24-OCT-03",
                   [("Physical Fitness", 1, "L")], "(1/03)(1/06)")
    # title wrapped onto a second line
    body += course("AR-1406-0090 V04", "600-C45", "BASIC NONCOMMISSIONED OFFICER", "14-JAN-2008", "15-FEB-2008",
                   [("Principles of Supervision", 3, "L"), ("Human Resource Management", 2, "U")], "(6/07)(6/10)",
                   wrap="COURSE (BNCOC) COMMON CORE PHASE 1")
    body += heading("Military Experience")
    body += occupation("MOS-92Y-005", "25-APR-2014", None, "92Y UNIT SUPPLY SPECIALIST",
                       "Supervises or performs supply duties.",
                       [("Skill Level 30", [("Supply Management", 3, "L"), ("Inventory Control", 3, "L")])],
                       "(10/16)(10/19)")
    body += page_break()
    body += heading("College Level Test Scores")
    body += row((36, "CLEP"), (92, "COLLEGE ALGEBRA"), (340, "15-MAY-2015"), (456, "58"))
    body += heading("Other Learning Experiences")
    body += row((36, "MDT-200"), (122, "MASTER DRIVER TRAINER COURSE"), (400, "07-MAY-2007"), (456, "25-MAY-2007"))
    body += heading("END OF TRANSCRIPT")
    summary = row((36, "DOE, CASEY M 01-FEB-1990"))
    summary += row((36, "AR-2201-0399"), (102, "21-114"), (180, "BASIC COMBAT TRAINING"), (476, "12-SEP-2003"))
    summary += row((210, "Physical Fitness"), (400, "2"), (436, "L"), (476, "PHED"))
    summary += row((210, "Military Science"), (400, "1"), (436, "L"), (476, "MILS"))
    summary += row((36, "AR-2201-0455"), (102, "2E-F101"), (180, "BASIC AIRBORNE"), (476, "24-OCT-2003"))
    summary += row((210, "Physical Fitness"), (400, "1"), (436, "L"), (476, "PHED"))
    summary += row((36, "AR-1406-0090"), (102, "600-C45"), (180, "BASIC NONCOMMISSIONED OFFICER COURSE (BNCOC)"),
                   (476, "15-FEB-2008"))
    summary += row((180, "COMMON CORE PHASE 1"))
    summary += row((210, "Principles of Supervision"), (400, "3"), (436, "L"), (476, "MGMT"))
    summary += row((210, "Human Resource Management"), (400, "2"), (436, "U"), (476, "MGMT"))
    summary += row((36, "Total Semester Hours Recommended by Level: L 7 U 2 V 0 G 0"))
    return transcript(True, body, summary)


#: the Marine Corps occupation prints its recommendations again at every pay grade
MARINE_LEVELS = [
    ("Corporal (E-4)", [("Leadership", 1, "L"), ("Physical Fitness", 1, "L")]),
    ("Sergeant (E-5)", [("Leadership", 1, "L"), ("Physical Fitness", 1, "L"), ("Supervision", 2, "L")]),
    ("Staff Sergeant (E-6)", [("Leadership", 2, "L"), ("Physical Fitness", 1, "L"), ("Supervision", 2, "L"),
                              ("Personnel Management", 3, "U")]),
]


def marine_transcript() -> dict:
    body = personal("ROE, RILEY ANN", "XXX-XX-8765", "Staff Sergeant E-6", "Active")
    body += heading("Military Courses") + COURSE_HEAD
    body += course("MC-1405-0056 V02", "M03ABC1", "SMALL UNIT LEADERS COURSE", "02-MAR-2015", "27-MAR-2015",
                   [("Leadership", 2, "L")], "(12/16)(12/19)")
    body += course("NV-0702-0013 V03", "M-300-0011", "FIELD MEDICAL SERVICE TECHNICIAN", "06-FEB-2012", "30-MAR-2012",
                   [("Credit Is Not Recommended", 0, None)], "(9/11)(9/14)")
    body += heading("Military Experience")
    body += occupation("MCE-0311-002", "01-JUN-2012", "31-MAY-2020", "0311 RIFLEMAN",
                       "Leads and employs a rifle team; trains and supervises subordinate Marines.",
                       MARINE_LEVELS, "(3/17)(3/20)")
    body += heading("Other Learning Experiences")
    body += row((36, "MCT-1"), (122, "MARINE COMBAT TRAINING"), (400, "04-JAN-2012"), (456, "30-JAN-2012"))
    body += heading("END OF TRANSCRIPT")
    summary = row((36, "ROE, RILEY ANN 09-SEP-1993"))
    summary += row((36, "MC-1405-0056"), (102, "M03ABC1"), (180, "SMALL UNIT LEADERS COURSE"), (476, "27-MAR-2015"))
    summary += row((210, "Leadership"), (400, "2"), (436, "L"), (476, "MGMT"))
    summary += row((36, "Total Semester Hours Recommended by Level: L 2 U 0 V 0 G 0"))
    return transcript(False, body, summary)


def two_transcripts_pdf() -> bytes:
    return build([army_transcript(), marine_transcript()])
