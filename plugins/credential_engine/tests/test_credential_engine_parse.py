"""credential_engine: every real sample parses into the expected catalog entries."""

from __future__ import annotations

import base64
import copy
import json
from datetime import date
from pathlib import Path

import passport_hub_credential_engine
import pytest
from passport_hub_credential_engine.jsonld import lang_list, lang_text, normalize_ctid
from passport_hub_credential_engine.source import CredentialEngineSource
from passport_hub_credential_engine.vocab import classify_type

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, UnrecognizedError

DATA = Path(__file__).parent / "data"
SAMPLES = Path(passport_hub_credential_engine.__file__).parent / "samples"


def path_of(name: str) -> Path:
    """The plugin's bundled samples, else the test-only data (non-credential and foreign documents)."""
    return SAMPLES / name if (SAMPLES / name).exists() else DATA / name
WGU = "ce-036d082d-d80e-41a7-99a0-2d63a4ad3a4a"


def load(name: str):
    return json.loads(path_of(name).read_text("utf-8"))


def doc_of(data, name="test.json") -> Document:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return Document(data=raw, name=name)


def parse(data, name="test.json"):
    return list(CredentialEngineSource().parse(doc_of(data, name)))


def parse_file(name: str):
    return list(CredentialEngineSource().parse(Document(data=path_of(name).read_bytes(), name=name)))


def identifiers(entry, scheme):
    return [i.value for i in entry.achievement.identifiers if i.scheme == scheme]


# (file, ctid, kind, ctdl_type, title, owner ctid, O*NET codes, status, form)
EXPECTED = [
    ("wgu_bs_accounting_bachelorofsciencedegree.resource.json", "ce-b75970c9-d352-46a0-b67d-3256c9cdbb31",
     "degree", "ceterms:BachelorOfScienceDegree", "Bachelor of Science, Accounting (BSACC_202503)", WGU,
     ["13-2011.00"], "active", "ctdl-jsonld/resource"),
    ("wgu_bs_computer_science_bachelorofsciencedegree.resource.json", "ce-8f5a2e25-7a30-4eb0-ab9e-ab441ac928c6",
     "degree", "ceterms:BachelorOfScienceDegree", "Bachelor of Science, Computer Science (BSCS_202412)", WGU,
     ["15-1131.00"], "active", "ctdl-jsonld/resource"),
    ("wgu_mba_masterdegree.resource.json", "ce-6977cef9-298a-4f1e-bdac-d66509887ebf",
     "degree", "ceterms:MasterDegree", "Master of Business Administration (MBA_201404)", WGU,
     ["11-1011.00", "11-1011.03"], "active", "ctdl-jsonld/resource"),
    ("wgu_aws_cloud_devops_openbadge.resource.json", "ce-727764d7-b909-4e5c-b26a-c4d0fced2159",
     "badge", "ceterms:OpenBadge", "WGU Certificate: AWS Cloud DevOps v1.1", WGU, [], "active",
     "ctdl-jsonld/resource"),
    ("liit_triple_certification_certification.search_result.json", "ce-f4ddd65d-f565-4537-a105-04523357f54d",
     "certification", "ceterms:Certification", "Triple Certification (A+/N+ MCTS & CCNA)",
     "ce-b024f8c0-964c-4113-8094-0e6b82b623b5", ["11-3021.00"], "active", "ctdl-jsonld/search"),
    ("brookdale_comptia_linux_certificateofcompletion.search_result.json", "ce-1ad923c7-7d80-4b13-81c8-e688ea8b3ccd",
     "certificate", "ceterms:CertificateOfCompletion", "CompTIA Linux Essentials Certification",
     "ce-9c8978d2-7194-4e53-9d46-7e07b332e015", ["11-3021.00"], "active", "ctdl-jsonld/search"),
    ("capella_mba_selfdesigned_masterdegree.graph.json", "ce-53bc7e5d-d39c-4687-ac89-0474f691055d",
     "degree", "ceterms:MasterDegree", "Master of Business Administration (MBA) - self-designed",
     "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01", [], "active", "ctdl-jsonld/graph"),
    ("official_example_bachelordegree.graph.json", "ce-8669d5c6-566b-4409-9fff-f09753605d13",
     "degree", "ceterms:BachelorDegree", "Bachelor of Science in Cybersecurity", None, [], "active",
     "ctdl-jsonld/graph"),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[r[0].split(".")[0] for r in EXPECTED])
def test_every_credential_sample_gives_its_entry(row):
    name, ctid, kind, ctdl_type, title, owner, onet, status, form = row
    source = CredentialEngineSource()
    document = Document(data=path_of(name).read_bytes(), name=name)
    assert source.sniff(document)
    entries = list(source.parse(document))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.achievement.ctid == ctid
    assert entry.achievement.kind == kind
    assert entry.achievement.ctdl_type == ctdl_type
    assert entry.achievement.title == title
    assert [o.code for o in entry.achievement.occupations] == onet
    assert all(o.framework == "onet_soc" for o in entry.achievement.occupations)
    assert entry.status == status
    assert entry.source.format == form
    assert entry.source.plugin == "credential_engine"
    assert entry.source.document_sha256 == document.sha256
    assert identifiers(entry, "ctid") == [ctid]
    if owner:
        assert [i.value for i in entry.issuer.identifiers if i.scheme == "ctid"] == [owner]
        assert entry.issuer.name.endswith(f"/resources/{owner}")


def test_non_credential_documents_yield_no_entries():
    source = CredentialEngineSource()
    for name in (
        "atlantic_cape_computer_security_learningopportunity.sandbox.json",
        "georgia_standards_competencyframeworks_2017.json",
        "georgia_standards_competencies_2017.json",
    ):
        document = Document(data=path_of(name).read_bytes(), name=name)
        assert source.sniff(document), name  # CTDL, so this source claims it ...
        assert list(source.parse(document)) == [], name  # ... but nothing in it is a credential


def test_wgu_accounting_details():
    (entry,) = parse_file("wgu_bs_accounting_bachelorofsciencedegree.resource.json")
    occupation = entry.achievement.occupations[0]
    assert (occupation.framework, occupation.code, occupation.title) == (
        "onet_soc", "13-2011.00", "Accountants and Auditors")
    assert [(c.framework, c.code, c.title) for c in entry.industries] == [
        ("naics", "54", "Professional, Scientific, and Technical Services")]
    assert [(c.framework, c.code, c.title) for c in entry.instructional_programs] == [("cip", "52.0301", "Accounting")]
    assert entry.date_effective == date(2025, 3, 1)
    assert entry.url == "https://www.wgu.edu/online-business-degrees/bachelors-programs.html"
    assert entry.achievement.description.startswith("The Bachelor of Science in Accounting is a competency-based")
    assert identifiers(entry, "offered_by") == [WGU]
    assert identifiers(entry, "alternate_name") == ["BSACC_202503"]
    assert entry.lifecycle_status is None
    # the resource form drops blank nodes but keeps the reference
    assert "accreditedBy: 1 blank-node reference(s) not present in this document" in entry.warnings
    assert entry.source.locator == "https://credentialengineregistry.org/resources/ce-b75970c9-d352-46a0-b67d-3256c9cdbb31"
    assert entry.id.startswith("cat_")


def test_wgu_mba_framework_from_target_node_when_framework_missing():
    # WGU's MBA CAOs carry no ceterms:framework and call O*NET "Standard Occupational Classification"
    (entry,) = parse_file("wgu_mba_masterdegree.resource.json")
    assert [(o.framework, o.code, o.title) for o in entry.achievement.occupations] == [
        ("onet_soc", "11-1011.00", "Chief Executives"),
        ("onet_soc", "11-1011.03", "Chief Sustainability Officers"),
    ]
    assert [(c.framework, c.code) for c in entry.industries] == [("naics", "52")]
    assert [(c.framework, c.code) for c in entry.instructional_programs] == [("cip", "52.0201")]
    assert entry.date_effective == date(2014, 4, 1)


def test_open_badge_keeps_badgr_id_and_flags_dangling_occupations():
    (entry,) = parse_file("wgu_aws_cloud_devops_openbadge.resource.json")
    assert identifiers(entry, "credential_id") == ["https://api.badgr.io/public/badges/a9STuosRQuOqLKKKYhB9dQ"]
    assert entry.url == "https://api.badgr.io/public/badges/a9STuosRQuOqLKKKYhB9dQ"
    assert any(w.startswith("5 target occupation reference(s)") for w in entry.warnings)


def test_capella_graph_upper_case_owner_ctid_en_maps_and_cip_in_prose():
    (entry,) = parse_file("capella_mba_selfdesigned_masterdegree.graph.json")
    # ownedBy is ".../graph/ce-8DDBF031-BAD6-..." (upper case, /graph/ IRI)
    assert entry.issuer.name == "https://credentialengineregistry.org/resources/ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"
    assert entry.issuer.identifiers[0].value == "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"
    assert identifiers(entry, "offered_by") == ["ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"]
    assert identifiers(entry, "accredited_by") == [
        "ce-cfb15560-78c6-42b7-b62c-c3112c0de8f6", "ce-541da30c-15dd-4ead-881b-729796024b8f"]
    # "en" language maps
    assert entry.achievement.description.startswith("The MBA Self-Designed specialization")
    assert [(c.framework, c.code, c.title) for c in entry.instructional_programs] == [("cip", "52.0201", None)]
    assert "CIP code 52.0201 read from subject text 'CIP Code: 52.0201'" in entry.warnings
    assert [(c.amount, c.unit) for c in entry.achievement.credit] == [(48.0, "quarter_units")]
    assert entry.url == "https://www.capella.edu/online-degrees/mba-business-administration"


def test_official_example_resolves_blank_node_qa_org_and_keeps_non_registry_iris():
    (entry,) = parse_file("official_example_bachelordegree.graph.json")
    org = "https://credentialengine.github.io/credential-registry-ingest-examples/Organization/1/Organization-1.json"
    assert entry.issuer.name == org
    assert entry.issuer.identifiers == []  # not a CTID: kept as a URL
    assert entry.issuer.url == org
    assert identifiers(entry, "recognized_by") == ["Example Town Cyber Security Jobs Center"]
    assert entry.url == "https://example.com/#bachelordegree"
    assert not any("blank-node" in w for w in entry.warnings)


def test_graph_main_node_found_by_wrapper_id_not_position():
    graph = load("official_example_bachelordegree.graph.json")
    graph["@graph"].reverse()  # the QA organization first
    (entry,) = parse(graph)
    assert entry.achievement.ctid == "ce-8669d5c6-566b-4409-9fff-f09753605d13"
    assert identifiers(entry, "recognized_by") == ["Example Town Cyber Security Jobs Center"]


def test_owner_resolved_inside_graph_gives_its_name():
    graph = load("capella_mba_selfdesigned_masterdegree.graph.json")
    graph["@graph"].append({
        "@id": "https://credentialengineregistry.org/resources/ce-8ddbf031-bad6-4b19-b726-066d5f71ad01",
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01",
        "ceterms:name": {"en": "Capella University"},
        "ceterms:subjectWebpage": "https://www.capella.edu",
    })
    entries = parse(graph)
    assert len(entries) == 1  # the organization is not a catalog entry
    issuer = entries[0].issuer
    assert (issuer.name, issuer.url) == ("Capella University", "https://www.capella.edu")
    assert issuer.identifiers[0].value == "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"
    assert identifiers(entries[0], "offered_by") == ["ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"]


def test_search_results_keep_text_hygiene():
    (entry,) = parse_file("brookdale_comptia_linux_certificateofcompletion.search_result.json")
    assert "\r" not in entry.achievement.description
    assert "Includes exam voucher. \n\nComptia Linux Plus Course Description" in entry.achievement.description
    assert [(c.framework, c.code) for c in entry.instructional_programs] == [("cip", "11.0901")]
    assert entry.url == "https://www.brookdalecc.edu"
    assert entry.source.locator == "https://credentialengineregistry.org/resources/ce-1ad923c7-7d80-4b13-81c8-e688ea8b3ccd"


def test_search_api_response_object_and_mixed_array():
    liit = load("liit_triple_certification_certification.search_result.json")
    brookdale = load("brookdale_comptia_linux_certificateofcompletion.search_result.json")
    atlantic = load("atlantic_cape_computer_security_learningopportunity.sandbox.json")
    page = {"data": liit + atlantic + brookdale, "valid": True, "extra": {"TotalResults": 3}}
    entries = parse(page)
    assert [e.achievement.ctid for e in entries] == [
        "ce-f4ddd65d-f565-4537-a105-04523357f54d", "ce-1ad923c7-7d80-4b13-81c8-e688ea8b3ccd"]
    assert {e.source.format for e in entries} == {"ctdl-jsonld/search"}


def test_upper_case_main_ctid_is_lower_cased_and_ids_match_across_forms():
    lower = load("wgu_mba_masterdegree.resource.json")
    upper = copy.deepcopy(lower)
    upper["ceterms:ctid"] = upper["ceterms:ctid"].upper()
    (a,) = parse(lower)
    (b,) = parse(upper)
    (c,) = parse([lower])  # the same record as a search result
    assert b.achievement.ctid == "ce-6977cef9-298a-4f1e-bdac-d66509887ebf"
    assert "CTID 'CE-6977CEF9-298A-4F1E-BDAC-D66509887EBF' normalized to ce-6977cef9-298a-4f1e-bdac-d66509887ebf" \
        in b.warnings
    assert a.id == b.id == c.id
    assert a.source.document_sha256 != c.source.document_sha256


def _envelope(payload, ctid="ce-53bc7e5d-d39c-4687-ac89-0474f691055d"):
    return {
        "envelope_community": "ce_registry",
        "envelope_id": "2ba1e8ee-cd8a-4e1b-8ed5-4eae8fb3a1a3",
        "envelope_ceterms_ctid": ctid,
        "envelope_ctdl_type": "ceterms:MasterDegree",
        "envelope_type": "resource_data",
        "envelope_version": "1.0.0",
        "resource_encoding": "jwt",
        "resource_format": "json",
        "decoded_resource": payload,
        "node_headers": {"revision_history": [{"created_at": "2017-03-21 19:02:58 UTC"}]},
    }


def test_registry_envelope_holding_the_graph():
    graph = load("capella_mba_selfdesigned_masterdegree.graph.json")
    (from_graph,) = parse(graph)
    # envelope metadata has been wrong (CredentialRegistry#259): the payload decides
    (entry,) = parse(_envelope(graph, ctid="ceterms:ctid"))
    assert entry.source.format == "ctdl-jsonld/envelope"
    assert entry.achievement.ctid == "ce-53bc7e5d-d39c-4687-ac89-0474f691055d"
    assert entry.achievement.title == "Master of Business Administration (MBA) - self-designed"
    assert entry.id == from_graph.id


def test_registry_envelope_with_only_the_jwt():
    graph = load("capella_mba_selfdesigned_masterdegree.graph.json")

    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    envelope = _envelope(None)
    del envelope["decoded_resource"]
    envelope["resource"] = f"{b64({'alg': 'RS256'})}.{b64(graph)}.c2lnbmF0dXJl"
    (entry,) = parse(envelope)
    assert entry.achievement.ctid == "ce-53bc7e5d-d39c-4687-ac89-0474f691055d"
    envelope["resource"] = "not-a-jwt"
    with pytest.raises(MalformedError, match="envelope"):
        parse(envelope)


def test_competencies_from_framework_documents_in_the_same_graph():
    """Skills resolve through competency nodes (the real Georgia CTDL-ASN data) and inline CAOs."""
    graph = load("official_example_bachelordegree.graph.json")
    frameworks = load("georgia_standards_competencyframeworks_2017.json")
    competencies = load("georgia_standards_competencies_2017.json")
    graph["@graph"].extend(frameworks + competencies)
    main = graph["@graph"][0]
    main["ceterms:requires"][0]["ceterms:targetCompetency"] = [
        "c3d70f14-416e-11e7-98df-41f94c7896aa",  # bare-UUID @id (2017 CaSS data)
        {"@id": "c5ef335e-4f80-11e7-a714-e56243a19390"},
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNodeName": {"en-US": "Threat analysis"},
            "ceterms:frameworkName": {"en-US": "Example Cyber Framework"},
            "ceterms:codedNotation": "CY.1",
        },
        "_:not-in-this-document",
    ]
    (entry,) = parse(graph)
    assert [(s.name, s.framework, s.code) for s in entry.achievement.skills] == [
        ("Life Science", "Science Georgia Standards of Excellence - 2016", "c3d70f14-416e-11e7-98df-41f94c7896aa"),
        ("Astronomy", "Science Georgia Standards of Excellence - 2016", "c5ef335e-4f80-11e7-a714-e56243a19390"),
        ("Threat analysis", "Example Cyber Framework", "CY.1"),
    ]
    assert "1 competency reference(s) are not in this document; not listed as skills" in entry.warnings


def _with_status(credential_status=None, lifecycle=None):
    node = load("wgu_bs_accounting_bachelorofsciencedegree.resource.json")
    node.pop("ceterms:credentialStatusType")
    if credential_status is not None:
        node["ceterms:credentialStatusType"] = credential_status
    if lifecycle is not None:
        node["ceterms:lifeCycleStatusType"] = lifecycle
    (entry,) = parse(node)
    return entry


def _cao(term, framework="https://credreg.net/ctdl/terms/CredentialStatus"):
    return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": framework, "ceterms:targetNode": term}


def test_status_vocabularies():
    life = "https://credreg.net/ctdl/terms/LifeCycleStatus"
    assert _with_status().status == "unknown"  # absence is not Active
    assert _with_status([_cao("credentialStat:Deprecated")]).status == "deprecated"  # legacy array form
    superseded = _with_status(_cao("credentialStat:Superseded"))
    assert superseded.status == "deprecated"
    assert "credential status 'superseded' recorded as deprecated" in superseded.warnings
    assert _with_status("credentialStat:Probationary").status == "probationary"  # bare term
    assert _with_status(_cao("http://purl.org/ctdl/vocabs/credentialStat/Suspended")).status == "suspended"
    ceased = _with_status(lifecycle=_cao("lifecycle:Ceased", life))
    assert (ceased.status, ceased.lifecycle_status) == ("ceased", "ceased")
    developing = _with_status(lifecycle=_cao("lifeCycle:Developing", life))
    assert (developing.status, developing.lifecycle_status) == ("unknown", "developing")
    both = _with_status(_cao("credentialStat:Active"), _cao("lifeCycle:Suspended", life))
    assert both.status == "suspended"
    odd = _with_status(_cao("credentialStat:Retired"))
    assert odd.status == "unknown"
    assert any("'retired' is not a known CTDL status" in w for w in odd.warnings)


@pytest.mark.parametrize(
    ("ctdl_type", "is_credential", "kind"),
    [
        ("ceterms:ApprenticeshipCertificate", True, "apprenticeship"),
        ("ceterms:JourneymanCertificate", True, "certificate"),
        ("ceterms:License", True, "license"),
        ("ceterms:DigitalBadge", True, "badge"),
        ("ceterms:BachelorOfArtsDegree", True, "degree"),
        ("ceterms:ProfessionalDoctorate", True, "degree"),
        ("ceterms:AssociateOfAppliedScienceDegree", True, "degree"),
        ("ceterms:SecondarySchoolDiploma", True, "other"),
        ("ceterms:MicroCredential", True, "other"),
        ("https://purl.org/ctdl/terms/Certification", True, "certification"),
        ("http://purl.org/ceterms/terms/License", True, "license"),
        ("ceterms:BootcampCertificate", True, "other"),  # unconfirmed class: falls through to other
        ("ceterms:CredentialOrganization", False, "other"),
        ("ceterms:LearningOpportunityProfile", False, "other"),
        ("ceasn:Competency", False, "other"),
        ("qdata:DataSetProfile", False, "other"),
        ("ceterms:SomethingNew", False, "other"),
        ("CollegeTranscript", False, "other"),
    ],
)
def test_class_tree(ctdl_type, is_credential, kind):
    info = classify_type(ctdl_type)
    assert (info.is_credential, info.kind) == (is_credential, kind)


def test_unknown_credential_class_and_type_arrays():
    node = load("liit_triple_certification_certification.search_result.json")[0]
    node["@type"] = ["ceterms:BootcampCertificate"]
    (entry,) = parse(node)
    assert (entry.achievement.kind, entry.achievement.ctdl_type) == ("other", "ceterms:BootcampCertificate")
    assert any("not in the known class tree" in w for w in entry.warnings)
    node["@type"] = ["ceterms:BootcampCertificate", "ceterms:Certification"]
    (entry,) = parse(node)
    assert (entry.achievement.kind, entry.achievement.ctdl_type) == ("certification", "ceterms:Certification")


def test_language_maps_and_ctids():
    assert lang_text({"en-US": "A"}) == "A"
    assert lang_text({"es": "B", "en-us": "A"}) == "A"
    assert lang_text({"fr": "C", "en": "A"}) == "A"
    assert lang_text({"fr": "C", "en-GB": "A"}) == "A"
    assert lang_text({"fr": "C"}) == "C"
    assert lang_text("plain pre-2018 string") == "plain pre-2018 string"
    assert lang_text({"es": "B", "en": "A"}, prefer="es") == "B"
    keywords = load("wgu_bs_accounting_bachelorofsciencedegree.resource.json")["ceterms:keyword"]
    assert lang_list(keywords)[:3] == ["Accounting", "Accounting Information Systems", "Accounting Software"]
    assert lang_list([{"en-us": "Grade Level"}]) == ["Grade Level"]
    capella = "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"
    assert normalize_ctid(capella.upper()) == capella
    assert normalize_ctid(f"urn:ctid:{capella}") == capella
    assert normalize_ctid(f"https://sandbox.credentialengineregistry.org/graph/{capella.upper()}") == capella
    assert normalize_ctid(f"http://lr-staging.learningtapestry.com/resources/urn:ctid:{capella}") == capella
    assert normalize_ctid("ce-test-123") is None
    assert normalize_ctid("https://credentialfinder.org/Credential/65182") is None


def test_sandbox_records_get_their_own_id():
    node = load("wgu_mba_masterdegree.resource.json")
    (production,) = parse(node)
    node["@id"] = node["@id"].replace("credentialengineregistry.org", "sandbox.credentialengineregistry.org")
    (sandbox,) = parse(node)
    assert sandbox.id != production.id
    assert any(w.startswith("sandbox registry record") for w in sandbox.warnings)


def test_sniff_refuses_what_other_plugins_read():
    source = CredentialEngineSource()
    for name in (
        "ob30_achievementAlignmentCase.json",  # Open Badges 3.0 / W3C VC
        "pesc-jsonld-transcript_minimal.json",  # PESC JSON-LD: an @graph, but not CTDL
        "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json",  # PESC JSON
    ):
        assert not source.sniff(Document(data=path_of(name).read_bytes(), name=name)), name
    # a VC whose alignment names a CTDL class is still a VC
    vc = load("ob30_achievementAlignmentCase.json")
    vc["@type"] = "ceterms:Credential"
    assert not source.sniff(doc_of(vc))
    for raw in (b"", b"%PDF-1.7\n", b"<xml/>", b"[]", b"{}", b"[1, 2]", b'{"@graph": []}', b"{not json"):
        assert not source.sniff(Document(data=raw, name="x")), raw


def test_bad_documents_give_one_clear_error():
    with pytest.raises(MalformedError, match="bad.json"):
        list(CredentialEngineSource().parse(Document(data=b"{broken", name="bad.json")))
    with pytest.raises(UnrecognizedError, match="not CTDL"):
        parse({"hello": "world"})
    node = load("liit_triple_certification_certification.search_result.json")[0]
    node["ceterms:ctid"] = "ce-test-123"
    with pytest.raises(MalformedError, match="CTID 'ce-test-123' is not valid"):
        parse([node])
    del node["ceterms:ctid"]
    with pytest.raises(MalformedError, match="no ceterms:ctid"):
        parse(node)


def test_envelope_with_deeply_nested_payload_is_malformed_not_a_crash():
    with pytest.raises(MalformedError, match="decoded_resource is not JSON"):
        parse(_envelope("[" * 100_000 + "]" * 100_000))
