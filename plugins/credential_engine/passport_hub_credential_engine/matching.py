"""Normalizing issuer names and credential titles for catalog matching: the core's one rule."""

from passport_hub.matching import normalize_text as normalize_match_key

__all__ = ["normalize_match_key"]
