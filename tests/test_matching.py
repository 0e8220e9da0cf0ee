"""The one text normalization used for catalog matching (issuer + title)."""

from passport_hub.matching import catalog_match_key, normalize_text


def test_normalize_text_on_real_registry_titles():
    title = "Bachelor of Science, Accounting (BSACC_202503)"
    assert normalize_text(title) == "bachelor of science accounting bsacc 202503"
    assert normalize_text("  Master's   Degree ") == "masters degree"
    assert normalize_text("Técnico") == "tecnico"
    assert normalize_text("Triple Certification (A+/N+ MCTS & CCNA)") == "triple certification a n mcts ccna"
    assert normalize_text(None) == ""


def test_catalog_match_key_joins_issuer_and_title():
    assert catalog_match_key("Western Governors University", "MBA") == "western governors university|mba"


def test_the_ascii_short_path_agrees_with_the_general_rule():
    from passport_hub.matching import _normalize_unicode

    ascii_chars = [chr(code) for code in range(128)]
    for a in ascii_chars:
        for b in ascii_chars:
            text = f"{a}Ab{b}9{a}"
            assert normalize_text(text) == _normalize_unicode(text), repr(text)
