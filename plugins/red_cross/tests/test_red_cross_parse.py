"""Parsing the Red Cross samples: certificate PDFs and lookup fragments give their .expected.json facts."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from passport_hub_red_cross.facts import result_value
from passport_hub_red_cross.ids import cert_id_from_url, delivery_format, normalize_cert_id
from passport_hub_red_cross.lookup_html import has_markers
from passport_hub_red_cross.source import RedCrossSource

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, NotFoundError, UnavailableError, UnrecognizedError

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_red_cross" / "samples"


def data_path(name: str) -> Path:
    """A fixture file: the bundled samples first (shipped with the package), then tests/data."""
    bundled = SAMPLES / name
    return bundled if bundled.exists() else DATA / name
TODAY = date(2026, 12, 3)
STATUS = {"valid": "active", "expired": "expired", None: "unknown"}


def source() -> RedCrossSource:
    src = RedCrossSource()
    src.clock = lambda: TODAY
    return src


def doc(name: str, **kw) -> Document:
    return Document(data_path(name).read_bytes(), name=name, **kw)


def parse(name: str) -> list:
    return list(source().parse(doc(name)))


def facts_of(record) -> dict:
    ids = {i.scheme: i.value for i in record.achievement.identifiers}
    return {
        "cert_id": ids["certificate_number"],
        "holder_name": record.holder.name if record.holder else None,
        "course_title": record.achievement.title,
        "course_code": ids.get("red_cross_course_code"),
        "delivery_format": result_value(record, "delivery_format"),
        "completion_date": result_value(record, "completion_date"),
        "issue_date": record.issued_on.isoformat() if record.issued_on else None,
        "expiry_date": record.expires_on.isoformat() if record.expires_on else None,
        "status_text": result_value(record, "status_text"),
        "pipe_status": result_value(record, "download_status"),
        "provider": result_value(record, "training_provider"),
        "aas_number": result_value(record, "aas_number"),
        "instructor": result_value(record, "instructor"),
        "validity_text": result_value(record, "validity"),
        "verify_url": record.source.locator,
        "verify_url_as_printed": result_value(record, "verify_url_as_printed"),
        "issuer": record.issuer.name,
    }


def expected(name: str) -> dict:
    return json.loads((DATA / name.replace(".html", ".expected.json").replace(".pdf", ".expected.json")).read_text())


LOOKUP_FOUND = ["lookup_certnumber_single_valid.html", "lookup_email_multiple_mixed.html"]


@pytest.mark.parametrize("name", LOOKUP_FOUND)
def test_lookup_fragment_gives_expected_facts(name):
    exp = expected(name)["expected"]
    assert exp["outcome"] == "found"
    records = parse(name)
    assert len(records) == len(exp["certificates"])
    for record, want in zip(records, exp["certificates"], strict=True):
        got = facts_of(record)
        for key, value in want.items():
            if key == "status":
                assert record.status == STATUS[value], (key, want["cert_id"])
            else:
                assert got[key] == value, (key, want["cert_id"], got[key])
        assert record.achievement.kind == "certification"
        assert record.issuer.url == "https://www.redcross.org"
        assert record.source.plugin == "red_cross"
        assert record.source.format == "Red Cross certificate lookup answer (HTML)"
        assert record.source.document_sha256 == doc(name).sha256
        assert record.warnings == []
    assert exp["rejected_rows"] == []


def test_email_lookup_keeps_every_row_in_order_with_mixed_status_and_delivery():
    records = parse("lookup_email_multiple_mixed.html")
    assert [facts_of(r)["cert_id"] for r in records] == ["0SYN0B2", "0SYN0C3", "0SYN0D4", "0SYN0E5"]
    assert [r.status for r in records] == ["active", "expired", "active", "active"]
    assert [result_value(r, "delivery_format") for r in records] == [
        "instructor_led",
        "blended",
        "online",
        "instructor_led",
    ]
    # the 18-field reading: the expiry is field 14, never the instructor at parts[-2]
    assert records[0].expires_on == date(2027, 6, 14)
    assert result_value(records[0], "instructor") == "Sam Coach"
    # online row: no instructor, no AAS number
    assert result_value(records[2], "instructor") is None
    assert result_value(records[2], "aas_number") is None
    assert len({r.id for r in records}) == 4


@pytest.mark.parametrize("name", ["certificate_full_0SYN0A1.pdf", "certificate_wallet_0SYN0B2.pdf"])
def test_certificate_pdf_gives_expected_facts(name):
    exp = expected(name)["expected"]
    assert exp["outcome"] == "parsed"
    src = source()
    document = doc(name)
    assert src.sniff(document)
    (record,) = list(src.parse(document))
    got = facts_of(record)
    for key, value in exp["certificate"].items():
        assert got["issue_date" if key == "completion_date" else key] == value, key
    assert result_value(record, "completion_date") == exp["certificate"]["completion_date"]
    assert exp["status"] is None and record.status == "unknown"  # a PDF alone cannot say it is current
    assert record.achievement.kind == "certification"
    assert record.warnings == []


def test_pdf_formats_are_told_apart():
    assert parse("certificate_full_0SYN0A1.pdf")[0].source.format == "Red Cross certificate PDF (full)"
    assert parse("certificate_wallet_0SYN0B2.pdf")[0].source.format == "Red Cross certificate PDF (wallet)"


def test_pdf_and_lookup_of_the_same_certificate_share_the_record_id():
    full = parse("certificate_full_0SYN0A1.pdf")[0]
    single = parse("lookup_certnumber_single_valid.html")[0]
    assert full.id == single.id
    wallet = parse("certificate_wallet_0SYN0B2.pdf")[0]
    row1 = parse("lookup_email_multiple_mixed.html")[0]
    assert wallet.id == row1.id
    assert full.id != wallet.id


def test_no_match_fragment_is_not_found():
    assert expected("lookup_certnumber_no_match.html")["expected"]["outcome"] == "not_found"
    with pytest.raises(NotFoundError, match="found no certificate"):
        parse("lookup_certnumber_no_match.html")


def test_access_denied_page_is_unavailable_not_not_found():
    exp = expected("lookup_access_denied.html")
    assert exp["expected"]["outcome"] == "source_unavailable" and exp["simulated_http_status"] == 403
    with pytest.raises(UnavailableError, match="Access Denied") as info:
        list(source().parse(doc("lookup_access_denied.html", media_type="text/html")))
    assert info.value.kind == "unavailable"


ACCESS_DENIED = "lookup_access_denied.html"


def edited(old: bytes, new: bytes, count: int = 1, page: bytes | None = None) -> bytes:
    """The access-denied sample (or ``page``, made from it) with ``old``, held ``count`` times, made ``new``."""
    page = data_path(ACCESS_DENIED).read_bytes() if page is None else page
    assert page.count(old) == count, old
    return page.replace(old, new)


def other_sites_block_page() -> bytes:
    """The access-denied sample with its Red Cross references (host, Demandware site id) made another
    site's: the same CDN page, heading and reference id."""
    return edited(b"RedCross", b"ExampleShop", page=edited(b"redcross", b"shop&#46;example"))


def guests_page() -> bytes:
    """The access-denied sample whose title and h1 mention the words in a longer heading."""
    return edited(b"Access Denied<", b"Access denied for guests<", count=2)


#: the scheme and host of the refused address the sample quotes, written as the CDN writes it
REFUSED_HOST = b"http&#58;&#47;&#47;www&#46;redcross&#46;org"


def saved_from(url: bytes, page: bytes) -> bytes:
    """``page`` as a browser saves it: a note of the address it came from before the markup."""
    return b"<!-- saved from url=(%04d)%s -->\n" % (len(url), url) + page


def test_saved_access_denied_page_is_claimed_and_unavailable():
    src = source()
    # a saved file, and the same bytes with no name or media type to go by (the sniff and parse alone)
    for document in (doc(ACCESS_DENIED), Document(data_path(ACCESS_DENIED).read_bytes(), name="upload")):
        assert src.sniff(document), document.name
        with pytest.raises(UnavailableError) as info:
            list(src.parse(document))
        assert info.value.kind == "unavailable"
        message = str(info.value)
        assert message.startswith(f"{document.name}: this saved page is the Red Cross site's 'Access Denied' answer")
        assert "nothing was imported" in message and "does not mean the certificate does not exist" in message


def test_only_the_red_cross_block_page_is_claimed():
    src = source()
    real = data_path(ACCESS_DENIED).read_bytes()
    assert src.sniff(Document(real, name="denied.html"))
    assert not src.sniff(Document(other_sites_block_page(), name="denied.html"))
    # the refused URL written plainly is read as well; look-alike hosts are not Red Cross hosts
    assert src.sniff(Document(edited(REFUSED_HOST, b"https://www.redcross.org"), name="d"))
    for host in (b"https://notredcross.org", b"https://www.redcross.org.example.net", b"https://example.org"):
        assert not src.sniff(Document(edited(REFUSED_HOST, host), name="d")), host
    # a refusal must start with markup
    assert not src.sniff(Document(b"Saved from the lookup:\n" + real, name="d.html"))


def test_a_heading_that_only_mentions_access_denied_is_not_the_refusal():
    src = source()
    # both headings changed: either one alone saying just "Access Denied" would be enough
    guests = Document(guests_page(), name="upload")
    assert not src.sniff(guests)
    with pytest.raises(UnrecognizedError, match="neither a Red Cross certificate PDF nor a lookup answer"):
        list(src.parse(guests))
    # either heading alone saying it makes the refusal; case and spacing aside
    assert src.sniff(Document(edited(b"<H1>Access Denied", b"<H1>Forbidden"), name="d"))
    assert src.sniff(Document(edited(b"<TITLE>Access Denied", b"<TITLE>Error"), name="d"))
    spaced = edited(b"<TITLE>Access Denied", b"<TITLE> ACCESS\n  denied ", page=edited(b"<H1>Access Denied", b"<H1>"))
    assert src.sniff(Document(spaced, name="d"))


def test_a_red_cross_link_outside_the_refusal_sentence_does_not_make_a_block_page_the_red_cross_one():
    src = source()
    other = other_sites_block_page()
    footer = edited(b"</BODY>", b'<a href="https://www.redcross.org/">American Red Cross</a>\n</BODY>', page=other)
    preconnect = edited(b"<HEAD>", b'<HEAD><link rel=preconnect href="https://www.redcross.org">', page=other)
    for page in (footer, preconnect):
        assert not src.sniff(Document(page, name="denied.html"))
        with pytest.raises(UnrecognizedError):
            list(src.parse(Document(page, name="upload")))


def test_a_saved_page_is_tied_to_the_red_cross_by_the_browsers_saved_from_note():
    src = source()
    # a block page whose quoted address has no scheme and host does not name the Red Cross itself
    path_only = edited(REFUSED_HOST, b"")
    assert not src.sniff(Document(path_only, name="denied.html"))
    saved = saved_from(b"https://www.redcross.org/take-a-class/qrcode?certnumber=0SYN0A1", path_only)
    assert saved.startswith(b"<!-- saved from url=(0063)https://www.redcross.org/")
    assert src.sniff(Document(saved, name="denied.html"))
    with pytest.raises(UnavailableError, match="this saved page is the Red Cross site's 'Access Denied' answer"):
        list(src.parse(Document(saved, name="upload")))
    assert not src.sniff(Document(saved_from(b"https://shop.example/checkout", path_only), name="denied.html"))


def test_a_page_read_as_unavailable_that_is_not_the_red_cross_refusal_keeps_its_own_message():
    # parse reads any .html page: one whose heading mentions "access denied" is unavailable, but it is
    # not the Red Cross site's refusal, so it is not described as that saved page
    src = source()
    for page in (other_sites_block_page(), guests_page()):
        with pytest.raises(UnavailableError) as info:
            list(src.parse(Document(page, name="denied.html")))
        assert str(info.value) == (
            "denied.html: the Red Cross site refused the lookup (Access Denied, bot protection); "
            "the certificate could not be checked - this does not mean it does not exist"
        )


def test_cli_import_of_the_saved_access_denied_page_is_unavailable(hub_env, tmp_path):
    from click.testing import CliRunner

    from passport_hub.cli import main

    other = tmp_path / "other_site_denied.html"
    other.write_bytes(other_sites_block_page())
    path = str(data_path(ACCESS_DENIED))
    # every installed plugin's sniff runs, as for the user
    result = CliRunner().invoke(main, ["import", path, str(other), "--json"])
    assert result.exit_code == 1, result.output
    errors = {line["error"]["document"]: line["error"] for line in map(json.loads, result.stdout.splitlines())}
    assert errors[path]["kind"] == "unavailable" and "'Access Denied' answer" in errors[path]["message"]
    assert errors[str(other)]["kind"] == "unrecognized"


def test_changed_markup_is_malformed_and_nothing_is_guessed():
    with pytest.raises(MalformedError, match="neither certificate rows nor its no-match text"):
        list(source().parse(doc("lookup_markup_changed.html", media_type="text/html")))


def test_rows_that_do_not_fit_are_skipped_with_a_warning_and_bad_dates_warn():
    records = parse("lookup_rows_unfit_and_bad_dates.html")
    ids = [facts_of(r)["cert_id"] for r in records]
    assert ids == ["0SYN0F6", "0SYN0J9", "0SYN0L2"]  # rows 2 (IDs disagree) and 4 (no name) skipped
    for record in records:
        assert any("row 2" in w and "0SYN0G7" in w and "0SYN0H8" in w and "skipped" in w for w in record.warnings)
        assert any("row 4" in w and "no student name" in w for w in record.warnings)
    good, feb30, short = records
    assert good.issued_on == date(2026, 1, 15) and good.expires_on == date(2028, 1, 15)
    assert good.status == "active"
    # February 30: a warning on that row, not a crash; the valid expiry is still read
    assert feb30.issued_on is None
    assert result_value(feb30, "completion_date") is None
    assert feb30.expires_on == date(2028, 3, 1)
    assert any("'Feb 30, 2026'" in w and "not a valid date" in w for w in feb30.warnings)
    assert any("'02/30/2026'" in w and "not a valid date" in w for w in feb30.warnings)
    # a 17-field download value is not trusted; named columns kept; expiry computed and labelled
    assert short.achievement.title == "Adult and Pediatric First Aid / CPR / AED"
    assert short.issued_on == date(2025, 3, 3)
    assert short.expires_on == date(2027, 3, 3)
    assert result_value(short, "expiry_basis") == "computed: issue date + 2 years"
    assert result_value(short, "instructor") is None
    assert any("17 fields, not 18" in w for w in short.warnings)


def test_both_date_formats_give_the_same_dates():
    numeric = parse("lookup_certnumber_single_valid.html")[0]  # pipe MM/DD/YYYY
    named = parse("lookup_email_multiple_mixed.html")[3]  # pipe Mon DD, YYYY
    assert numeric.issued_on == date(2026, 5, 12) and numeric.expires_on == date(2028, 5, 12)
    assert named.issued_on == date(2026, 4, 21) and named.expires_on == date(2028, 4, 21)


def test_row_status_is_recomputed_against_the_expiry_date():
    src = RedCrossSource()
    src.clock = lambda: date(2028, 5, 13)  # the day after 0SYN0A1 expires
    (record,) = list(src.parse(doc("lookup_certnumber_single_valid.html")))
    assert record.status == "expired"
    assert any("has passed" in w for w in record.warnings)


def test_image_only_pdf_gets_a_clear_error_suggesting_the_certificate_id(tmp_path):
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "red_cross_certificate_scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=landscape(letter))
    pdf.setFillGray(0.4)
    pdf.rect(72, 72, 400, 200, fill=1)  # shapes only, like a scan: no text layer
    pdf.save()
    document = Document(path.read_bytes(), name=path.name)
    src = source()
    assert src.sniff(document)  # claimed by its name, so the user gets this error
    with pytest.raises(MalformedError) as info:
        list(src.parse(document))
    message = str(info.value)
    assert "could not be read" in message and "certificate ID" in message
    assert not src.sniff(Document(path.read_bytes(), name="scan.pdf"))


def test_sniff_claims_only_red_cross_documents():
    src = source()
    for name in LOOKUP_FOUND + ["lookup_certnumber_no_match.html", "certificate_full_0SYN0A1.pdf"]:
        assert src.sniff(doc(name)), name
    assert not src.sniff(Document(b'{"a": 1}', name="x.json"))
    assert not src.sniff(Document(b"<html><body>hello</body></html>", name="x.html"))
    # the plugin's own source quotes the page's markers, but is no page
    code = Path(has_markers.__code__.co_filename).read_bytes()
    assert has_markers(code) and not src.sniff(Document(code, name="lookup_html.py"))


def test_certificate_ids_and_links():
    assert normalize_cert_id(" 0syn 0a1 ") == "0SYN0A1"
    assert normalize_cert_id("id-0SYN0A1") == "0SYN0A1"
    assert normalize_cert_id("10FMU9") == "10FMU9"  # legacy 6-character ID
    assert normalize_cert_id("0SYN0A1X") is None and normalize_cert_id("0SYN-0A") is None
    assert cert_id_from_url("https://www.redcross.org/take-a-class/qrCode?certnumber=01UFEE1") == "01UFEE1"
    assert cert_id_from_url("https://www.redcross.org/take-a-class/qrcode?certnumber=00CKHSG") == "00CKHSG"
    assert cert_id_from_url("https://example.org/elsewhere?certnumber=00CKHSG") is None
    assert delivery_format("ROCAFACPRAED") == "online"
    assert delivery_format("APFACPRAED-BL") == "blended"
    assert delivery_format(None, "Instructor-Led") == "instructor_led"


def test_real_id_observations_are_valid_ids():
    import csv

    rows = list(csv.DictReader((DATA / "certificate_id_observations.csv").open()))
    assert [normalize_cert_id(r["cert_id"]) for r in rows] == ["01UFEE1", "00CKHSG", "029RJ1Q", "10FMU9"]
    qr = [cert_id_from_url(r["verify_url"]) for r in rows[:3]]
    assert qr == ["01UFEE1", "00CKHSG", "029RJ1Q"]


def test_entry_point_module_registers_and_stays_light():
    code = (
        "import sys, passport_hub_red_cross.plugin as p\n"
        "got = []\n"
        "p.passport_hub_register_sources(got.append); p.passport_hub_register_verifiers(got.append)\n"
        "print([c.name for c in got], p.PASSPORT_HUB_API, 'lxml' in sys.modules, 'pdfplumber' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['red_cross', 'red_cross'] >=1.0,<2 False False"
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="passport_hub") if e.name == "red_cross"]
    assert ep.value == "passport_hub_red_cross.plugin"


def test_bundled_samples_are_sniffed_and_parsed():
    files = RedCrossSource.sample_documents()
    assert [p.name for p in files] == [
        "certificate_full_0SYN0A1.pdf",
        "certificate_wallet_0SYN0B2.pdf",
        "lookup_certnumber_single_valid.html",
        "lookup_email_multiple_mixed.html",
    ]
    src = source()
    counts = []
    for path in files:
        document = Document(path.read_bytes(), name=path.name)
        assert src.sniff(document), path.name
        counts.append(len(list(src.parse(document))))
    assert counts == [1, 1, 1, 4]


def test_pdf_is_read_by_label_not_by_line_order(tmp_path):
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    lines = [
        "American Red Cross",
        "Cert ID: 0syn 0m3",  # lower case, a stray space
        "Instructor: Sam Coach Provider: Sample Aquatics Center",
        "Expires: Jun 14, 2027",
        "Completed: 02/30/2025",  # impossible date
        "Course: Adult First Aid / CPR / AED",
        "Name: Riley Fictional",
    ]
    path = tmp_path / "reordered.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for i, line in enumerate(lines):
        pdf.drawString(72, 700 - 20 * i, line)
    pdf.save()
    (record,) = list(source().parse(Document(path.read_bytes(), name=path.name)))
    assert record.achievement.identifiers[0].value == "0SYN0M3"
    assert record.holder.name == "Riley Fictional"
    assert record.achievement.title == "Adult First Aid / CPR / AED"
    assert result_value(record, "instructor") == "Sam Coach"
    assert result_value(record, "training_provider") == "Sample Aquatics Center"
    assert record.expires_on == date(2027, 6, 14)
    assert record.issued_on is None
    assert any("'02/30/2025'" in w and "not a valid date" in w for w in record.warnings)
    assert record.source.locator == "https://www.redcross.org/take-a-class/qrcode?certnumber=0SYN0M3"


def test_names_match_ignores_case_accents_apostrophes_and_spacing_only():
    from passport_hub_red_cross.ids import names_match

    assert names_match("José O’Brien", "JOSE OBRIEN")
    assert names_match("Adult and Pediatric First Aid/CPR/AED", "adult and pediatric first aid / cpr / aed")
    assert not names_match("Jordan Example", "Jordan Examples")
    assert not names_match("", "")
