"""The read-only governance API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance import journal
from governance.models import JournalEntry
from governance.selectors import journal_head
from kernel import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_bylaws_lists_current_versions_in_charter_order(api, community):
    response = api.get(reverse("governance-api:bylaws"))
    assert response.status_code == 200
    data = response.json()
    assert [a["article"] for a in data][:3] == ["legal-form", "purpose", "asset-lock"]
    assert len(data) == 10
    legal = data[0]
    assert legal["is_entrenched"] is True
    assert legal["number"] == 1
    assert legal["enacted_by"] is None
    rules = next(a for a in data if a["article"] == "decision-rules")
    assert rules["parameters"]["rules"]["entrenched"]["threshold"] == [3, 4]


def test_versions_of_an_article(api, community):
    response = api.get(reverse("governance-api:bylaw_versions", args=["dues"]))
    assert response.status_code == 200
    assert [v["number"] for v in response.json()] == [1]
    assert response.json()[0]["article_class"] == "ordinary"


def test_versions_of_an_unknown_article_is_404_with_a_message(api, community):
    response = api.get(reverse("governance-api:bylaw_versions", args=["nope"]))
    assert response.status_code == 404
    assert "There is no article “nope”" in response.json()["detail"]


def test_bylaw_detail_of_an_unknown_article_is_404(api, community):
    response = api.get(reverse("governance-api:bylaw", args=["nope"]))
    assert response.status_code == 404


def test_anonymous_write_is_refused_with_the_reason_and_not_journaled(api, community):
    before = JournalEntry.objects.count()
    response = api.put(
        reverse("governance-api:bylaw", args=["purpose"]), {"text": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Bylaws change only by enactment of a passed proposal"
    )
    assert response.json()["code"] == "bylaw_guard"
    assert JournalEntry.objects.count() == before


def _filler(count):
    for number in range(count):
        journal.record(kind="test.filler", actor="", payload={"n": number})


def test_journal_pages_by_seq_with_next_link(api, community):
    _filler(230)
    total = JournalEntry.objects.count()
    seen = []
    url = reverse("governance-api:journal")
    pages = 0
    while url:
        data = api.get(url).json()
        seen += [e["seq"] for e in data["results"]]
        assert len(data["results"]) <= 100
        url = data["next"]
        pages += 1
    assert seen == list(range(1, total + 1))
    assert pages == -(-total // 100)


def test_journal_after_returns_the_entries_after_that_seq(api, community):
    _filler(3)
    data = api.get(reverse("governance-api:journal"), {"after": 2}).json()
    assert [e["seq"] for e in data["results"]] == [3, 4]
    assert data["next"] is None


@pytest.mark.parametrize("after", ["-1", "²", "1.5", str(2**64), "9" * 30])
def test_journal_after_must_be_a_whole_number_a_database_holds(api, community, after):
    response = api.get(reverse("governance-api:journal"), {"after": after})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "after" in response.json()["detail"]


def test_journal_after_the_largest_number_is_an_empty_page(api, community):
    response = api.get(reverse("governance-api:journal"), {"after": str(2**63 - 1)})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_journal_filters_by_kind(api, community):
    data = api.get(reverse("governance-api:journal"), {"kind": "genesis"}).json()
    assert [e["kind"] for e in data["results"]] == ["genesis"]


def test_head_endpoint_matches_the_page_footer(api, client, community):
    head = api.get(reverse("governance-api:journal_head")).json()
    seq, head_hash = journal_head()
    assert head == {"seq": seq, "hash": head_hash, "head": f"{seq}:{head_hash}"}
    last = JournalEntry.objects.order_by("-seq").first()
    assert (last.seq, last.hash) == (seq, head_hash)
    footer = client.get(reverse("governance:bylaws")).content.decode()
    assert f'<code class="journal-head">{head["head"]}</code>' in footer


def _export(api) -> tuple[object, bytes]:
    response = api.get(reverse("governance-api:journal_export"))
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def test_export_streams_one_compact_line_per_entry(api, community):
    journal.record(kind="test.unicode", actor="", payload={"text": "Café — ünïcode", "b": 1})
    response, body = _export(api)
    assert response["Content-Type"] == "application/x-ndjson"
    lines = body.decode("utf-8").splitlines()
    entries = list(JournalEntry.objects.order_by("seq"))
    assert len(lines) == len(entries)
    for line, entry in zip(lines, entries, strict=True):
        assert line == json.dumps(entry.as_export(), separators=(",", ":"), ensure_ascii=False)
    assert "Café — ünïcode" in lines[-1]
    assert response["X-Journal-Head"] == f"{entries[-1].seq}:{entries[-1].hash}"


def test_export_verifies_with_chain_py_and_the_published_head(api, community, tmp_path):
    _, body = _export(api)
    path = tmp_path / "export.jsonl"
    path.write_bytes(body)
    head = api.get(reverse("governance-api:journal_head")).json()
    result = chain.verify_file(path, expect_head=(head["seq"], head["hash"]))
    assert result.ok, result.describe()
    assert result.entries == head["seq"]
    assert chain.main(["verify", str(path), "--expect-head", head["head"]]) == 0


def test_export_with_an_accept_header_for_ndjson_is_served(api, community):
    response = api.get(reverse("governance-api:journal_export"), HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200


def test_export_of_an_empty_journal_is_empty_and_verifies(api, db):
    _, body = _export(api)
    assert body == b""
    assert chain.verify_lines([]).ok


def test_schema_documents_the_governance_endpoints(api, db):
    response = api.get(reverse("api-schema"))
    assert response.status_code == 200
    body = response.content.decode()
    for path in (
        "/api/v1/bylaws/",
        "/api/v1/bylaws/{slug}/versions/",
        "/api/v1/journal/",
        "/api/v1/journal/head/",
        "/api/v1/journal/export.jsonl",
    ):
        assert path in body


@pytest.mark.live_server_process
@pytest.mark.django_db(transaction=True)
def test_export_streams_over_asgi_in_chunks_and_verifies(community, daphne_server, tmp_path):
    """Through a real Daphne server (the async streaming path), an export larger
    than one read chunk arrives whole and verifies against the published head."""
    import urllib.request

    _filler(2100)
    base = daphne_server.url
    export_url = f"{base}{reverse('governance-api:journal_export')}"
    with urllib.request.urlopen(export_url) as response:  # noqa: S310 (loopback test server)
        assert response.headers["Content-Type"] == "application/x-ndjson"
        published = response.headers["X-Journal-Head"]
        body = response.read()
    head_url = f"{base}{reverse('governance-api:journal_head')}"
    with urllib.request.urlopen(head_url) as response:  # noqa: S310 (loopback test server)
        head = json.loads(response.read())
    assert published == head["head"]
    path = tmp_path / "export.jsonl"
    path.write_bytes(body)
    result = chain.verify_file(path, expect_head=(head["seq"], head["hash"]))
    assert result.ok, result.describe()
    assert result.entries == JournalEntry.objects.count() > 2100


def test_export_under_asgi_streams_with_an_async_iterator(community):
    """Django collects a sync iterator in memory before sending it under ASGI;
    the export gives ASGI an async iterator so it streams."""

    from django.test import AsyncRequestFactory

    from governance.api import JournalExportView

    request = AsyncRequestFactory().get(reverse("governance-api:journal_export"))
    response = JournalExportView.as_view()(request)
    assert response.is_async

    async def collect():
        return b"".join([chunk async for chunk in response.streaming_content])

    from asgiref.sync import async_to_sync

    body = async_to_sync(collect)()
    assert chain.verify_lines(body.decode().splitlines()).ok
    assert len(body.decode().splitlines()) == JournalEntry.objects.count()
