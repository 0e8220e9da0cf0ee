"""The passport-hub conformance suite, run against the credential_engine source."""

from __future__ import annotations

from pathlib import Path

import passport_hub_credential_engine
from passport_hub_credential_engine.source import CredentialEngineSource

from passport_hub.testing import FetchingSourceConformance, Reply

SAMPLES = Path(passport_hub_credential_engine.__file__).parent / "samples"
CAPELLA = SAMPLES / "capella_mba_selfdesigned_masterdegree.graph.json"


class TestCredentialEngineConformance(FetchingSourceConformance):
    source = CredentialEngineSource
    plugin = "credential_engine"
    # check() probes the registry: point it at a closed local port, never the internet
    config = {"registry_url": "http://127.0.0.1:9"}
    fetch_query = {"ctid": "ce-53bc7e5d-d39c-4687-ac89-0474f691055d"}
    fetch_reply = Reply(200, body=CAPELLA.read_bytes(), content_type="application/json")

    def fetch_config(self, base_url):
        return {"registry_url": base_url}
