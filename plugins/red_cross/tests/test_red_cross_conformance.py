"""The passport-hub conformance suite, run against the red_cross source (incl. its lookup)."""

from pathlib import Path

from passport_hub_red_cross.source import RedCrossSource

from passport_hub.testing import FetchingSourceConformance, Reply

SAMPLES = Path(__file__).parent.parent / "passport_hub_red_cross" / "samples"


class TestRedCrossConformance(FetchingSourceConformance):
    source = RedCrossSource
    plugin = "red_cross"
    # check() sends a real lookup: point it at a closed local port, never the internet
    config = {"lookup_url": "http://127.0.0.1:9/lookup"}
    fetch_query = {"certificate_id": "0SYN0A1"}
    fetch_reply = Reply(
        200, body=(SAMPLES / "lookup_certnumber_single_valid.html").read_bytes(), content_type="text/html"
    )

    def fetch_config(self, base_url):
        return {"lookup_url": base_url + "/services/Certificates/certificates-lookup"}
