"""ACE identifiers on a JST: course ids (``AR-2201-0399`` + ``V02``) and occupation ids
(``NER-HM-005``). Light (no PDF imports): the source's sniff and verifier use it too."""

from __future__ import annotations

import re

COURSE_ID = r"(?:AR|NV|MC|CG|AF|DD)-\d{4}-\d{4}"
OCC_PREFIXES = ("MOS", "NER", "NEC", "NWO", "LDO", "MCE", "MCO", "CGA", "CGR", "CGW")
OCC_ID = rf"(?:{'|'.join(OCC_PREFIXES)})-[A-Z0-9]+-\d{{3}}(?:[EOL]\d)?"

RE_COURSE_ID = re.compile(rf"^{COURSE_ID}$")
RE_COURSE_VERSION = re.compile(r"^V\d{1,2}$")
RE_OCC_ID = re.compile(rf"^{OCC_ID}$")
RE_OCC_ID_PARTS = re.compile(rf"^(?P<type>{'|'.join(OCC_PREFIXES)})-(?P<des>[A-Z0-9]+)-(?P<ver>\d{{3}})"
                             r"(?P<sfx>[EOL]\d)?$")
