"""passport-hub plugin: Registered Apprenticeship completions.

Sponsor completion rosters (CSV, JSON export) and the California DAS "Certificate of
Completion of Apprenticeship" PDF become ``kind: apprenticeship`` records; a verifier
makes the consistency checks that can honestly be made without a completion registry.
"""
