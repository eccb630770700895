"""The founding act and journal verification from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from governance import selectors
from governance.models import BylawVersion, JournalEntry
from members.models import RoleAssignment
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(db):
    return {name: make_member(name) for name in ("alice", "bob", "carol", "ada", "zoe")}


def test_found_community_adopts_the_default_charter_and_appoints(people):
    output = run(
        "found_community",
        "--name",
        "Velo Hosts",
        "--founder",
        "alice",
        "--founder",
        "zoe",
        "--treasurer",
        "bob",
        "--steward",
        "carol",
        "--auditor",
        "ada",
    )
    genesis = JournalEntry.objects.get(seq=1)
    assert genesis.kind == "genesis"
    assert genesis.payload["community"] == "Velo Hosts"
    assert genesis.payload["founders"] == ["alice", "zoe"]
    assert genesis.payload["appointments"] == {
        "auditor": ["ada"],
        "steward": ["carol"],
        "treasurer": ["bob"],
    }
    assert BylawVersion.objects.count() == 10
    assert "Velo Hosts is a non-profit" in selectors.current_version("legal-form").text
    seq, head_hash = selectors.journal_head()
    assert f"{seq}:{head_hash}" in output
    assert RoleAssignment.objects.exists()


def test_found_community_with_a_charter_file(people, tmp_path):
    charter = [
        {
            "slug": "legal-form",
            "title": "Forme",
            "class": "entrenched",
            "text": "{community} est une association.",
        },
        {
            "slug": "decision-rules",
            "title": "Règles",
            "class": "entrenched",
            "parameters": "default",
        },
        {"slug": "dues", "title": "Cotisations", "class": "ordinary", "text": "Gratuit."},
    ]
    path = tmp_path / "charter.json"
    path.write_text(json.dumps(charter, ensure_ascii=False), encoding="utf-8")
    run("found_community", "--name", "Les Vélos", "--founder", "alice", "--charter", str(path))
    assert [v.article.slug for v in selectors.current_versions()] == [
        "legal-form",
        "decision-rules",
        "dues",
    ]
    assert selectors.current_version("legal-form").text == "Les Vélos est une association."


def test_found_community_names_unknown_users(people):
    with pytest.raises(CommandError, match=r"Unknown founder username\(s\): nobody"):
        run("found_community", "--name", "X", "--founder", "alice", "--founder", "nobody")
    with pytest.raises(CommandError, match=r"Unknown treasurer username\(s\): ghost"):
        run("found_community", "--name", "X", "--founder", "alice", "--treasurer", "ghost")
    assert not JournalEntry.objects.exists()
    assert not BylawVersion.objects.exists()


def test_found_community_needs_a_founder(people):
    with pytest.raises(CommandError, match="at least one founder"):
        run("found_community", "--name", "X")


def test_found_community_twice_is_refused(people):
    run("found_community", "--name", "First", "--founder", "alice")
    count = JournalEntry.objects.count()
    with pytest.raises(CommandError, match="already been founded"):
        run("found_community", "--name", "Second", "--founder", "bob")
    assert JournalEntry.objects.count() == count
    assert selectors.community_name() == "First"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("{}", "non-empty JSON list"),
        ('[{"slug": "a", "title": "A", "class": "odd", "text": "t"}]', "class must be"),
        ('[{"slug": "a", "class": "ordinary", "text": "t"}]', "missing: title"),
        (
            '[{"slug": "a", "title": "A", "class": "ordinary", "text": "t"},'
            ' {"slug": "a", "title": "B", "class": "ordinary", "text": "u"}]',
            "appears twice",
        ),
        ('[{"slug": "journal", "title": "J", "class": "ordinary", "text": "t"}]', "reserved"),
    ],
)
def test_found_community_rejects_a_bad_charter_file_clearly(people, tmp_path, content, message):
    path = tmp_path / "charter.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("found_community", "--name", "X", "--founder", "alice", "--charter", str(path))
    assert not JournalEntry.objects.exists()


def test_found_community_missing_charter_file(people, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the charter file"):
        run(
            "found_community",
            "--name",
            "X",
            "--founder",
            "alice",
            "--charter",
            str(tmp_path / "missing.json"),
        )


def test_verify_journal_reports_ok_and_the_head(community):
    output = run("verify_journal")
    seq, head_hash = selectors.journal_head()
    assert output.startswith(f"OK: {seq} entries verified; head {seq}:{head_hash}")


def test_verify_journal_with_the_current_head_passes(community):
    seq, head_hash = selectors.journal_head()
    output = run("verify_journal", "--expect-head", f"{seq}:{head_hash}")
    assert "found and matches" in output


def test_verify_journal_with_a_head_from_the_future_fails(community):
    seq, head_hash = selectors.journal_head()
    with pytest.raises(CommandError, match="FAILED"):
        run("verify_journal", "--expect-head", f"{seq + 5}:{head_hash}")


def test_verify_journal_with_a_different_hash_fails(community):
    seq, _hash = selectors.journal_head()
    with pytest.raises(CommandError, match="FAILED"):
        run("verify_journal", "--expect-head", f"{seq}:{'a' * 64}")


def test_verify_journal_rejects_a_malformed_head(community):
    with pytest.raises(CommandError, match="--expect-head"):
        run("verify_journal", "--expect-head", "twelve")


def test_verify_journal_on_an_empty_journal(db):
    assert run("verify_journal").startswith("OK: 0 entries")
