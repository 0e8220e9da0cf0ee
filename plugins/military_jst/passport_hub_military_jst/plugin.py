"""passport-hub hooks for Joint Services Transcripts (kept light: no PDF import here)."""

from __future__ import annotations

from passport_hub import hookimpl

from .source import JointServicesTranscript, JSTVerifier

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    register(JointServicesTranscript)


@hookimpl
def passport_hub_register_verifiers(register):
    register(JSTVerifier)
