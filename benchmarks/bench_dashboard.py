"""The member's dashboard ("what needs me now") at the scale issue 14 names.

    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/postgres \
        python benchmarks/bench_dashboard.py
    python benchmarks/bench_dashboard.py --members 10000 --proposals 1000   # SQLite, smaller

It builds a community of `--members` members (100,000) and `--proposals`
proposals (10,000: a tenth voting, a tenth in discussion, a few in notice,
the rest decided), puts the measured member on every open vote's roll with
ballots in half of them and replies to their messages, then requests the
dashboard (and the visitors' home) in-process, measuring the time of each
request and the queries it makes. Targets: p95 <= 100 ms and <= 10 queries.

The rows are cloned in bulk from proposals taken through the real services
(INSERT ... SELECT), with the guards lifted for that as the tables' owner
(the benchmark creates its database) and reinstalled before measuring.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_ballots import prepare_database  # noqa: E402

P95_TARGET_MS = 100.0
QUERY_TARGET = 10


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def series(connection) -> str:
    if connection.vendor == "postgresql":
        return "generate_series(1, %s) AS i"
    return (
        "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
        "SELECT i FROM s)"
    )


def clone(connection, model, template_pk: int, copies: int) -> None:
    """`copies` more rows like `template_pk`, in one INSERT ... SELECT."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) SELECT {names} "
            f"FROM {model._meta.db_table}, {series(connection)} WHERE id = %s",
            [copies, template_pk],
        )


def build(members: int, proposals: int) -> str:
    from django.db import connection
    from django.utils import timezone

    from debates import services as debates
    from kernel import guards
    from proposals.models import Ballot, ElectorateEntry, Proposal, State
    from tests.factories import found, make_member
    from tests.proposals.factories import ProposalFactory
    from tests.proposals.helpers import hold_vote

    now = timezone.now()
    alice = make_member("alice")
    bob = make_member("bob")
    carol = make_member("carol")
    found(founders=[alice], appointments={"steward": [carol], "treasurer": [bob]})
    voters = [alice, bob, carol]
    enacted = hold_vote(ProposalFactory(author=alice, title="Decided"), yes=voters)
    voting = ProposalFactory(author=alice, title="Open vote", phase="voting")
    discussion = ProposalFactory(author=alice, title="Under discussion", phase="discussion")
    mine = debates.post_argument(
        actor=bob, proposal_id=discussion.pk, body="My argument", stance="pro"
    )
    debates.post_argument(actor=carol, proposal_id=discussion.pk, body="A reply", parent_id=mine.pk)

    guards.uninstall(connection)
    admitted = now - timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_member (password, is_superuser, username, first_name, "
            "last_name, email, is_staff, is_active, date_joined, display_name, bio) "
            f"SELECT '!', false, 'm' || i, '', '', '', false, true, %s, '', '' "
            f"FROM {series(connection)}",
            [now, members],
        )
        cursor.execute(
            "INSERT INTO members_membership (member_id, status, applied_at, admitted_at, "
            "suspension_reason) SELECT id, 'member', %s, %s, '' FROM members_member "
            "WHERE username LIKE 'm%%' AND id NOT IN (SELECT member_id FROM members_membership)",
            [admitted, admitted],
        )
    open_votes = proposals // 10
    clone(connection, Proposal, voting.pk, open_votes - 1)
    clone(connection, Proposal, discussion.pk, proposals // 10 - 1)
    clone(connection, Proposal, enacted.pk, proposals - 2 * (proposals // 10) - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO proposals_electorateentry (proposal_id, member_id) "
            "SELECT p.id, %s FROM proposals_proposal p WHERE p.state = %s "
            "AND NOT EXISTS (SELECT 1 FROM proposals_electorateentry e "
            "WHERE e.proposal_id = p.id AND e.member_id = %s)",
            [bob.pk, State.VOTING, bob.pk],
        )
        cursor.execute(
            "INSERT INTO proposals_ballot (proposal_id, voter_id, choice, cast_at, changed_at, "
            "receipt_hash) SELECT p.id, %s, 'yes', %s, %s, '' FROM proposals_proposal p "
            "WHERE p.state = %s AND p.id %% 2 = 0 AND NOT EXISTS (SELECT 1 FROM proposals_ballot b "
            "WHERE b.proposal_id = p.id AND b.voter_id = %s)",
            [bob.pk, now, now, State.VOTING, bob.pk],
        )
    guards.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have
    print(
        f"built: {Proposal.objects.count()} proposals, "
        f"{ElectorateEntry.objects.filter(member=bob).count()} votes on bob's roll, "
        f"{Ballot.objects.filter(voter=bob).count()} of them cast, "
        f"{members + 3} members"
    )
    return bob.username


def measure(path: str, username: str | None, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Member

    client = Client()
    if username:
        client.force_login(Member.objects.get(username=username))
    client.get(path)  # the treasury's cached aggregates, like any page after a posting
    times = []
    queries = 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = max(queries, len(captured))
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "queries": queries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    database = prepare_database(os.environ.get("BENCH_DATABASE_URL"), "commons_bench_dashboard")
    setup_django(database)
    from django.db import connection

    print(f"database: {connection.vendor}")
    username = build(args.members, args.proposals)
    failed = False
    for name, path, who in (
        ("member dashboard", "/dashboard/", username),
        ("visitor home", "/", None),
    ):
        result = measure(path, who, args.requests)
        ok = result["p95"] <= P95_TARGET_MS and result["queries"] <= QUERY_TARGET
        failed = failed or not ok
        print(
            f"{name}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms "
            f"(target <= {P95_TARGET_MS:.0f}), {result['queries']} queries "
            f"(target <= {QUERY_TARGET}) {'OK' if ok else 'FAILED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
