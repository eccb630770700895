"""The time ledger's exports verify offline with the one verifier, in the
journal's shapes; a pseudonym changes nothing an auditor checks; the audit
recomputes every entry and notices what an owner forged."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

from contributions import selectors, services
from contributions.models import TimeEntry, TimePosting
from kernel import audit, chain
from kernel import guards as database_guards
from members.selectors import export_member_data
from tests.contributions.factories import (
    CommunityNeedFactory,
    HoursFactory,
    NeedFactory,
    OfferFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(people, gathering):
    """Two confirmed contributions: an exchange and a community need."""
    need = NeedFactory(posted_by=people["alice"])
    hours = HoursFactory(
        offer=OfferFactory(need=need, member=people["dave"], accepted=True), minutes=90
    )
    services.confirm_contribution(actor=people["alice"], contribution_id=hours.pk)
    community = CommunityNeedFactory(posted_by=people["carol"], proposal_id=gathering.pk)
    more = HoursFactory(
        offer=OfferFactory(need=community, member=people["erin"], accepted=True), minutes=20
    )
    services.confirm_contribution(actor=people["carol"], contribution_id=more.pk)
    return people


def export(path="/api/v1/contributions/ledger/export.jsonl"):
    response = APIClient().get(path)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_the_export_verifies_offline_against_the_published_head(confirmed):
    response, body = export()
    head = APIClient().get("/api/v1/contributions/ledger/head/").json()
    assert response["X-Ledger-Head"] == head["head"]
    result = chain.verify_lines(
        body.decode().splitlines(keepends=True), expect_head=chain.parse_head(head["head"])
    )
    assert result.ok and result.entries == 2, result.describe()
    first = body.decode().splitlines()[0]
    assert '"postings"' in first and "alice" not in body.decode()


def test_one_changed_byte_fails_verification(confirmed):
    _response, body = export()
    changed = body.replace(b'"minutes":90', b'"minutes":91', 1)
    assert changed != body
    result = chain.verify_lines(changed.decode().splitlines(keepends=True))
    assert not result.ok


def test_an_unbalanced_entry_fails_the_verifiers_rule(confirmed):
    """Rehashed by a forger, an entry that creates credits from nothing still
    fails: the verifier checks that postings sum to zero."""
    entry = TimeEntry.objects.order_by("seq").first().as_export()
    entry["payload"] = {
        **entry["payload"],
        "postings": [{"account": "x", "amount": 150}, {"account": "y", "amount": 1}],
    }
    fields = {k: entry[k] for k in ("prev", "seq", "at", "kind", "actor", "payload")}
    entry["hash"] = chain.compute_hash(**fields)
    result = chain.verify_lines([json.dumps(entry)])
    assert not result.ok and "does not balance" in result.describe()


def test_a_pseudonym_changes_the_names_shown_not_the_chain(confirmed):
    _response, before = export()
    services.update_profile(actor=confirmed["dave"], is_pseudonymous=True)
    _response, after = export()
    assert before == after
    names = {row["reference"]: row["name"] for row in selectors.public_accounts()}
    dave = selectors.account_for_member(confirmed["dave"]).reference
    alice = selectors.account_for_member(confirmed["alice"]).reference
    assert names[dave] is None and names[alice] == confirmed["alice"].public_name
    assert names["community"] is None


def test_the_spreadsheet_has_one_row_per_entry_with_hours_as_decimals(confirmed):
    _response, body = export("/api/v1/contributions/ledger/export.csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [(r["kind"], r["minutes"], r["hours"], r["credits"]) for r in rows] == [
        ("time.exchanged", "90", "1.50", "1.50"),
        ("time.issued", "20", "0.33", "0.33"),
    ]
    assert rows[1]["from"] == "community"


def test_the_audit_explains_every_entry_built_by_the_services(confirmed):
    result = audit.run(only=["time", "hours"])
    assert result.ok, [str(f) for f in result.findings]


def test_the_audit_names_a_posting_an_owner_changed(confirmed):
    posting = TimePosting.objects.filter(amount__gt=0).order_by("pk").first()
    database_guards.uninstall(connection)
    try:
        TimePosting.objects.filter(pk=posting.pk).update(amount=posting.amount + 1000)
    finally:
        database_guards.install(connection)
    findings = [str(f) for f in audit.run(only=["time"]).findings]
    assert any("differ from its transfer's" in f for f in findings), findings
    assert any("balance" in f for f in findings), findings


def test_the_personal_data_export_holds_the_members_contributions(confirmed):
    data = export_member_data(member=confirmed["dave"])["contributions"]
    assert data["time_account"]["balance_hundredths"] == 150
    assert [h["minutes"] for h in data["hours"]] == [90]
    assert data["offers"][0]["state"] == "accepted"
