"""The journal as sentences (governance/journal_text.py and each app's
journal_text.py): every kind the apps write has a sentence, in English and
French, with display names, a link to its object and the raw record one
click away; the page costs a constant number of queries and is paginated."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from governance import journal, journal_text
from governance.models import JournalEntry
from governance.views import JOURNAL_PAGE_SIZE
from kernel import dates
from tests.factories import make_member
from tests.proposals.helpers import draft, submit

pytestmark = pytest.mark.django_db

AT = "2026-03-01T10:00:00.000000Z"


# --- every kind written has a sentence ----------------------------------------------------


def _dynamic_kinds() -> dict[str, list[str]]:
    """Kinds written from an f-string: the prefix and every value it takes."""
    from debates.models import ModerationAction

    return {"moderation.": [f"moderation.{a.value}" for a in ModerationAction.Action]}


def _is_journal_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "journal"
    )


def kinds_written(source: str) -> tuple[set[str], list[str]]:
    """The kinds a module passes to `journal.record`, directly or through a
    helper that forwards its `kind` parameter; and what it could not read."""
    tree = ast.parse(source)
    kinds: set[str] = set()
    unread: list[str] = []
    forwarders: dict[str, int] = {}
    dynamic = _dynamic_kinds()

    def take(node: ast.expr, where: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            kinds.add(node.value)
        elif isinstance(node, ast.JoinedStr):
            head = node.values[0]
            prefix = head.value if isinstance(head, ast.Constant) else ""
            if prefix in dynamic:
                kinds.update(dynamic[prefix])
            else:
                unread.append(f"line {where.lineno}: kind=f'{prefix}…'")
        else:
            unread.append(f"line {where.lineno}: kind={ast.unparse(node)}")

    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and _is_journal_record(call)):
                continue
            kind = next((k.value for k in call.keywords if k.arg == "kind"), None)
            if isinstance(kind, ast.Name) and kind.id in params:
                forwarders[function.name] = params.index(kind.id)
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        kind = None
        if _is_journal_record(call):
            kind = next((k.value for k in call.keywords if k.arg == "kind"), None)
            if isinstance(kind, ast.Name):
                continue  # a forwarder's own call, read at its callers
        elif isinstance(call.func, ast.Name) and call.func.id in forwarders:
            index = forwarders[call.func.id]
            kind = call.args[index] if len(call.args) > index else None
            kind = next((k.value for k in call.keywords if k.arg == "kind"), kind)
        else:
            continue
        if kind is None:
            unread.append(f"line {call.lineno}: no kind")
        else:
            take(kind, call)
    return kinds, unread


def project_sources() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    files = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents:
            continue  # Django's and third parties' apps
        files += [p for p in path.rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def test_every_kind_the_apps_journal_has_a_sentence():
    written: dict[str, str] = {}
    unread = []
    for path in project_sources():
        kinds, problems = kinds_written(path.read_text(encoding="utf-8"))
        written.update({kind: str(path) for kind in kinds})
        unread += [f"{path}: {problem}" for problem in problems]

    assert not unread, "kinds this test cannot read (name them as literals):\n" + "\n".join(unread)
    # The scan itself works: it finds kinds written directly, through a
    # helper, and from an f-string.
    assert {"genesis", "proposal.submitted", "member.admitted", "moderation.hidden"} <= set(written)
    missing = [f"{k} ({written[k]})" for k in sorted(written) if not journal_text.kind_text(k)]
    assert not missing, (
        "journal kinds with no sentence (register them in <app>/journal_text.py): "
        + (", ".join(missing))
    )


def test_the_check_fails_for_a_kind_without_a_sentence():
    source = (
        "from governance import journal\n"
        "def give(actor):\n"
        "    journal.record(kind='contribution.given', actor=actor, payload={})\n"
    )
    kinds, unread = kinds_written(source)

    assert kinds == {"contribution.given"} and not unread
    assert journal_text.kind_text("contribution.given") is None


def test_the_check_cannot_be_fooled_by_a_computed_kind():
    source = "def f(x):\n    journal.record(kind=x.upper(), actor='', payload={})\n"

    assert kinds_written(source)[1]


# --- each sentence, in English and French ---------------------------------------------------


def entry_for(text: journal_text.KindText, *, seq: int = 1) -> JournalEntry:
    kind = text.key if not text.key.endswith(".") else text.key + "example"
    return JournalEntry(
        seq=seq,
        at=AT,
        kind=kind,
        actor=text.example_actor,
        payload=dict(text.example),
        prev="0" * 64,
        hash=f"{seq:064x}",
    )


def test_every_registered_kind_has_an_example_payload():
    missing = [t.key for t in journal_text.registered() if t.example is None]

    assert not missing, f"give these registrations an example payload: {missing}"


def test_every_registered_kind_reads_as_a_sentence_in_english_and_in_french():
    failures = []
    for text in journal_text.registered():
        entry = entry_for(text)
        with translation.override("en"):
            english = journal_text.read([entry])[0]
        with translation.override("fr"):
            french = journal_text.read([entry])[0]
        for language, read in (("en", english), ("fr", french)):
            sentence = read.sentence.text
            if not sentence or "%(" in sentence or "An entry of kind" in sentence:
                failures.append(f"{text.key} ({language}): {sentence!r}")
            if read.sentence.link and not read.sentence.link_text:
                failures.append(f"{text.key} ({language}): a link with no text")
        if english.sentence.text == french.sentence.text:
            failures.append(f"{text.key}: the same in English and French")
        if english.label == french.label:
            failures.append(f"{text.key}: its kind's name is not translated")
    assert not failures, "\n".join(failures)


def _translatable_strings(path: Path) -> list[tuple[str, str | None]]:
    """(msgid, plural or None) of every gettext call in a module."""
    strings = []
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        texts = [
            a.value
            for a in call.args[:2]
            if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if call.func.id == "ngettext" and len(texts) == 2:
            strings.append((texts[0], texts[1]))
        elif call.func.id in {"_", "gettext", "gettext_lazy"} and texts:
            strings.append((texts[0], None))
    return strings


def test_every_string_of_the_sentence_modules_is_translated_into_french():
    modules = {Path(inspect.getfile(t.describe)) for t in journal_text.registered()}
    untranslated = []
    with translation.override("fr"):
        for path in sorted(modules):
            for singular, plural in _translatable_strings(path):
                if plural is None:
                    missing = translation.gettext(singular) == singular
                else:
                    missing = translation.ngettext(singular, plural, 1) == singular or (
                        translation.ngettext(singular, plural, 2) == plural
                    )
                if missing and singular.strip("#%()s") != "":
                    untranslated.append(f"{path.parent.name}/{path.name}: {singular!r}")
    assert not untranslated, "\n".join(untranslated)


# --- names and links --------------------------------------------------------------------------


def test_people_are_named_by_their_display_names(community):
    make_member("bob2", display_name="Bob Lefèvre")
    entry = journal.record(
        kind="member.suspended",
        actor="bob2",
        payload={"member": "ghost", "authority": "steward", "reason": "Spam.", "at": AT},
    )

    sentence = journal_text.read([entry])[0].sentence.text

    # A person who exists is shown by the name they chose; a name nobody
    # holds any more stays the username the journal recorded.
    assert sentence == "Bob Lefèvre suspended ghost. Reason given: Spam."


def test_a_person_without_a_display_name_is_shown_by_username(community):
    entry = JournalEntry.objects.get(seq=1)  # the genesis: alice, who chose no name

    assert "with alice as founder" in journal_text.read([entry])[0].sentence.text


def test_a_proposal_entry_names_its_proposal_and_links_to_it(community):
    proposal = submit(draft(community["alice"], title="Paint the shed"))
    entry = JournalEntry.objects.get(kind="proposal.submitted")

    read = journal_text.read([entry])[0]

    assert "submitted the proposal “Paint the shed”" in read.sentence.text
    assert read.sentence.link == reverse("proposals:detail", args=[proposal.pk])
    assert read.sentence.link_text == f"Proposal #{proposal.pk}"


def test_dates_in_sentences_are_written_like_every_other_date(community):
    proposal = submit(draft(community["alice"]))
    entry = JournalEntry.objects.get(kind="proposal.submitted")

    with translation.override("fr"):
        sentence = journal_text.read([entry])[0].sentence.text
        expected = dates.moment(proposal.voting_opens_at)

    assert expected in sentence and " à " in expected


def test_amounts_are_written_as_the_treasury_writes_them():
    text = journal_text.kind_text("budget.lines_opened")

    sentence = journal_text.read([entry_for(text)])[0].sentence.text

    assert "6\u202f000.00 EUR" in sentence and "50.50 EUR" in sentence


def test_an_entry_in_a_shape_its_sentence_does_not_expect_still_reads(community, caplog):
    entry = journal.record(kind="member.left", actor="", payload={"who": "an older format"})

    read = journal_text.read([entry])[0]

    assert read.sentence.text == "An entry of kind “member.left”."
    assert "no readable sentence" in caplog.text


def test_an_unknown_kind_still_reads(community):
    entry = journal.record(kind="test.filler", actor="", payload={})

    assert journal_text.read([entry])[0].sentence.text == "An entry of kind “test.filler”."


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_sentences_with_the_record_one_click_away(client, community):
    make_member("dan", admitted_days_ago=0, display_name="Dan Okafor")
    entry = JournalEntry.objects.order_by("-seq").first()

    html = client.get(reverse("governance:journal")).content.decode()

    item = html[html.index(f'<li id="seq-{entry.seq}"') :]
    item = item[: item.index("</li>")]
    assert "Dan Okafor joined the community." in item
    assert f'href="{reverse("members:profile", args=["dan"])}"' in item
    details = item[item.index("<details") :]
    assert "<code>member.admitted</code>" in details
    assert entry.hash in details and entry.prev in details
    assert "&quot;member&quot;: &quot;dan&quot;" in details  # the payload, as JSON


def test_the_page_escapes_what_people_wrote(client, community):
    submit(draft(community["alice"], title="<script>alert(1)</script>"))

    html = client.get(reverse("governance:journal")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_reads_in_french(client, community):
    make_member("dan", admitted_days_ago=0)

    html = client.get(reverse("governance:journal"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "dan a rejoint la communauté." in html
    assert "Membre admis" in html  # the kind's name, in the filter and on the entry


def test_the_kind_filter_offers_human_names(client, community):
    make_member("dan", admitted_days_ago=0)

    html = client.get(reverse("governance:journal")).content.decode()

    assert '<option value="member.admitted">Member admitted</option>' in html
    assert '<option value="genesis">Founding act</option>' in html
    filtered = client.get(reverse("governance:journal"), {"kind": "member.admitted"})
    assert filtered.content.decode().count('<li id="seq-') == 1


def test_the_page_is_paginated_at_a_readable_size(client, community):
    for number in range(2 * JOURNAL_PAGE_SIZE):
        journal.record(kind="test.filler", actor="", payload={"n": number})
    total = JournalEntry.objects.count()

    pages = [
        client.get(reverse("governance:journal"), {"page": n}).content.decode() for n in (1, 2, 3)
    ]

    assert JOURNAL_PAGE_SIZE == 25
    assert [p.count('<li id="seq-') for p in pages] == [25, 25, total - 50]
    assert f'id="seq-{total}"' in pages[0] and 'id="seq-1"' in pages[2]


def _record_one_of_each_kind(actor: str, proposal_id: int) -> None:
    for text in journal_text.registered():
        payload = dict(text.example)
        if "proposal" in payload:
            payload["proposal"] = proposal_id
        kind = text.key if not text.key.endswith(".") else text.key + "example"
        journal.record(kind=kind, actor=text.example_actor and actor, payload=payload)


def _queries_for_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("governance:journal"))
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_whatever_its_entries(client, community):
    """One query for the names on the page, one for the proposals' titles,
    whatever the entries: a page of 25 entries of every kind costs what a
    page of the founding act alone does."""
    proposal = submit(draft(community["alice"]))
    _queries_for_page(client)  # the first page also reads the community's name, once
    few = _queries_for_page(client)  # the founding act and one submission
    for _round in range(2):
        _record_one_of_each_kind("bob", proposal.pk)
    assert JournalEntry.objects.count() > JOURNAL_PAGE_SIZE

    many = _queries_for_page(client)

    assert many == few
    # The kinds, the count, the page, the names, the titles, the journal head.
    assert many <= 8, f"the journal page takes {many} queries"
