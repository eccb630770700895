"""Red team: contributions (needs, offers, logged hours, time accounts,
transfers, postings, the time chain, rebate requests) attacked through the
application's own connection — the ORM, raw SQL and the admin — on SQLite
and PostgreSQL. Every forgery must be refused by the database and leave
nothing behind. (TRUNCATE, disabling or replacing the guards are tried on
every guarded table, these included, by tests/guards/test_postgresql.py.)"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from contributions import services
from contributions.models import (
    Contribution,
    Need,
    Offer,
    RebateClaim,
    TimeAccount,
    TimeEntry,
    TimePosting,
    TimeTransfer,
)
from contributions.services import ledger
from kernel.chains import append_to_chain
from tests.contributions.factories import (
    CommunityNeedFactory,
    HoursFactory,
    NeedFactory,
    OfferFactory,
)
from tests.contributions.helpers import adopt_article, window
from tests.guards.helpers import DAY, raw, rows
from tests.proposals.helpers import draft, pass_proposal

RECORD = "contributions guard"
LEDGER = "time ledger guard"
AUTHORITY = "credits move only for hours confirmed by the need's beneficiary"
STEP = "logged hours are confirmed or refused by the need's beneficiary"


@pytest.fixture
def voters(people):
    return list(people.values())


@pytest.fixture
def economy(people, voters):
    """Eve's need with Finn's accepted offer and 1.5 h logged; a community
    need of the stewards (Carol) with Finn's accepted offer and 1 h logged;
    the Contributions article adopted with a floor of -2.00 and a monthly
    cap of 3.00 credits."""
    adopt_article(
        people["alice"], voters, lowest_balance_hundredths=-200, monthly_cap_hundredths=300
    )
    gathering = pass_proposal(people["alice"], voters, title="Hold the gathering")
    need = NeedFactory(posted_by=people["eve"], people_needed=2)
    offer = OfferFactory(need=need, member=people["finn"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=90)
    community = CommunityNeedFactory(
        posted_by=people["carol"], proposal_id=gathering.pk, people_needed=3
    )
    community_offer = OfferFactory(need=community, member=people["finn"], accepted=True)
    community_hours = HoursFactory(offer=community_offer, minutes=60)
    return {
        **people,
        "gathering": gathering,
        "need": need,
        "offer": offer,
        "hours": hours,
        "community": community,
        "community_hours": community_hours,
    }


def everything():
    return [
        rows(model)
        for model in (Need, Offer, Contribution, TimeAccount, TimeTransfer, TimePosting, TimeEntry)
    ]


def forge_transfer(
    kind,
    *,
    contribution=None,
    rebate=None,
    authorized_by,
    lines,
    minutes=0,
    rate=0,
    credits=0,
    **fields,
):
    """What `services.ledger.post_transfer` writes, without its checks: a
    draft, its postings, then the update that posts it."""
    now = timezone.now()
    values = {
        "kind": kind,
        "contribution": contribution,
        "rebate": rebate,
        "minutes": minutes,
        "rate": rate,
        "credits": credits,
        "month": now.strftime("%Y-%m"),
        "authorized_by": authorized_by,
        "posted_at": now,
    }
    values.update(fields)
    transfer = TimeTransfer.objects.create(**values)
    TimePosting.objects.bulk_create(
        TimePosting(transfer=transfer, account=account, amount=amount) for account, amount in lines
    )
    TimeTransfer.objects.filter(pk=transfer.pk).update(status="posted")
    return transfer


def accounts(economy, *names):
    return [ledger.account_of(economy[name]) for name in names]


# --- needs -----------------------------------------------------------------------------------


def test_a_need_is_posted_open_now_by_a_member_on_its_authority(economy, refused):
    before = everything()
    base = {
        "title": "Forged",
        "description": "x",
        "estimated_minutes": 60,
        "place": "Hall",
        **window(),
        "posted_by": economy["eve"],
    }
    now = timezone.now()
    with refused("a need is posted open, now"):
        Need.objects.create(**base, state="filled", created_at=now, changed_at=now)
    with refused("a need is posted open, now"):
        Need.objects.create(**base, created_at=now - 30 * DAY, changed_at=now - 30 * DAY)
    with refused("a community need is posted by a holder of the role"):
        Need.objects.create(
            **{**base, "posted_by": economy["finn"]},
            is_community=True,
            beneficiary_role="steward",
            proposal=economy["gathering"],
            created_at=now,
            changed_at=now,
        )
    with refused("a community need is posted by a holder of the role"):  # a draft as authority
        Need.objects.create(
            **{**base, "posted_by": economy["carol"]},
            is_community=True,
            beneficiary_role="steward",
            proposal=draft(economy["carol"]),
            created_at=now,
            changed_at=now,
        )
    assert everything()[0] == before[0]


def test_only_a_needs_state_changes_along_its_edges(economy, refused):
    need = economy["need"]
    before = everything()
    with refused(RECORD):
        Need.objects.filter(pk=need.pk).update(posted_by=economy["finn"])
    with refused(RECORD):
        Need.objects.filter(pk=need.pk).update(hourly_pay_cents=100_000)
    with refused("a need is filled when it has accepted as many people as it needs"):
        Need.objects.filter(pk=need.pk).update(state="filled", changed_at=timezone.now())
    with refused(RECORD):  # raw SQL, the same
        raw("UPDATE contributions_need SET state = 'filled' WHERE id = %s", [need.pk])
    services.close_need(actor=economy["eve"], need_id=need.pk, state="cancelled")
    before = everything()
    with refused("a closed need never changes"):
        Need.objects.filter(pk=need.pk).update(state="open", changed_at=timezone.now())
    with refused("needs are never deleted"):
        raw("DELETE FROM contributions_need WHERE id = %s", [need.pk])
    assert everything() == before


# --- offers ----------------------------------------------------------------------------------


def test_an_offer_is_made_by_someone_else_on_an_open_need(economy, refused):
    before = everything()
    now = timezone.now()
    with refused("an offer is made now, on an open need"):  # on one's own need
        Offer.objects.create(
            need=economy["need"], member=economy["eve"], state="pending", created_at=now
        )
    with refused("an offer is made now"):  # born accepted
        Offer.objects.create(
            need=economy["need"], member=economy["ada"], state="accepted", created_at=now
        )
    with refused("an offer is asked only of the giver of the standing offer"):
        Offer.objects.create(
            need=economy["need"], member=economy["ada"], state="requested", created_at=now
        )
    assert everything() == before


def test_an_offer_is_answered_once_by_the_beneficiary(economy, attempt, refused):
    offer = OfferFactory(need=economy["need"], member=economy["ada"])
    before = everything()
    now = timezone.now()
    with refused("an offer is answered once"):  # the giver accepts their own offer
        Offer.objects.filter(pk=offer.pk).update(
            state="accepted", decided_by=economy["ada"], decided_at=now
        )
    with refused("an offer is answered once"):  # someone else than the beneficiary
        Offer.objects.filter(pk=offer.pk).update(
            state="accepted", decided_by=economy["carol"], decided_at=now
        )
    with refused("an offer is answered once"):  # backdated
        Offer.objects.filter(pk=offer.pk).update(
            state="accepted", decided_by=economy["eve"], decided_at=now - 10 * DAY
        )
    with refused("an offer's need, member, message and date never change"):
        Offer.objects.filter(pk=economy["offer"].pk).update(member=economy["ada"])
    with refused("an offer is answered once"):  # an accepted offer taken back
        Offer.objects.filter(pk=economy["offer"].pk).update(state="declined", decided_at=now)
    with refused("offers are never deleted"):
        raw("DELETE FROM contributions_offer WHERE id = %s", [offer.pk])
    assert everything() == before


# --- logged hours ----------------------------------------------------------------------------


def test_hours_are_logged_by_the_contributor_of_an_accepted_offer(economy, refused):
    before = everything()
    now, today = timezone.now(), timezone.now().date()
    values = {
        "offer": economy["offer"],
        "need": economy["need"],
        "minutes": 60,
        "worked_on": today,
        "logged_at": now,
    }
    with refused("hours are logged now, by the contributor"):  # by someone else
        Contribution.objects.create(**values, contributor=economy["ada"])
    with refused("hours are logged now"):  # born confirmed
        Contribution.objects.create(**values, contributor=economy["finn"], state="confirmed")
    with refused("hours are logged now"):  # a day to come
        Contribution.objects.create(
            **{**values, "worked_on": today + DAY}, contributor=economy["finn"]
        )
    with refused("nobody logs more than 24 hours in a day"):
        Contribution.objects.create(
            **{**values, "minutes": 1440 - 90 - 60 + 1}, contributor=economy["finn"]
        )
    with refused("contributions_contribution_minutes_in_a_day|CHECK"):
        Contribution.objects.create(**{**values, "minutes": 0}, contributor=economy["finn"])
    assert everything() == before


def test_logged_hours_never_change_and_are_confirmed_only_with_their_transfer(economy, refused):
    hours = economy["hours"]
    before = everything()
    now = timezone.now()
    with refused("logged hours never change"):
        Contribution.objects.filter(pk=hours.pk).update(minutes=600)
    with refused(f"{STEP}|nobody_decides_own"):  # confirmed by the contributor
        Contribution.objects.filter(pk=hours.pk).update(
            state="confirmed", confirmed_by=economy["finn"], confirmed_at=now
        )
    with refused(STEP):  # confirmed by someone who does not receive the work
        Contribution.objects.filter(pk=hours.pk).update(
            state="confirmed", confirmed_by=economy["carol"], confirmed_at=now
        )
    with refused("hours are confirmed together with their posted transfer"):
        Contribution.objects.filter(pk=hours.pk).update(
            state="confirmed", confirmed_by=economy["eve"], confirmed_at=now
        )
    with refused(STEP):  # a refusal without a reason
        Contribution.objects.filter(pk=hours.pk).update(
            state="refused", refused_by=economy["eve"], refused_at=now
        )
    with refused("logged hours are never deleted"):
        raw("DELETE FROM contributions_contribution WHERE id = %s", [hours.pk])
    assert everything() == before


def test_a_refusal_is_reviewed_only_by_another_steward(economy, refused):
    hours = economy["community_hours"]
    services.refuse_contribution(actor=economy["carol"], contribution_id=hours.pk, reason="No.")
    services.request_review(actor=economy["finn"], contribution_id=hours.pk)
    before = everything()
    with refused(STEP):  # the steward who refused
        Contribution.objects.filter(pk=hours.pk).update(
            state="refusal_upheld",
            reviewed_by=economy["carol"],
            reviewed_at=timezone.now(),
            review_reason="Still no.",
        )
    with refused(STEP):  # not a steward
        Contribution.objects.filter(pk=hours.pk).update(
            state="refusal_upheld",
            reviewed_by=economy["ada"],
            reviewed_at=timezone.now(),
            review_reason="No.",
        )
    assert everything() == before


# --- the time ledger -------------------------------------------------------------------------


def test_accounts_are_named_by_a_reference_and_never_change(economy, refused):
    account = ledger.account_of(economy["finn"])
    before = everything()
    with refused("an account is the community's or one member's, opened now"):
        TimeAccount.objects.create(
            reference="alice", member=economy["alice"], created_at=timezone.now()
        )
    with refused("accounts never change"):
        TimeAccount.objects.filter(pk=account.pk).update(reference="m-000000000000")
    with refused("accounts never change"):
        raw("DELETE FROM contributions_timeaccount WHERE id = %s", [account.pk])
    assert everything() == before


def test_credits_move_only_on_a_confirmation_by_the_beneficiary(economy, refused):
    hours = economy["hours"]
    dave, erin = accounts(economy, "eve", "finn")
    before = everything()
    fair = {"contribution": hours, "minutes": 90, "rate": 100, "credits": 150}
    with refused(AUTHORITY):  # authorized by the contributor
        forge_transfer(
            "exchanged", authorized_by=economy["finn"], lines=[(dave, -150), (erin, 150)], **fair
        )
    with refused(AUTHORITY):  # by someone who does not receive the work
        forge_transfer(
            "exchanged", authorized_by=economy["carol"], lines=[(dave, -150), (erin, 150)], **fair
        )
    with refused(AUTHORITY):  # twice the credits the hours earn
        forge_transfer(
            "exchanged",
            authorized_by=economy["eve"],
            lines=[(dave, -300), (erin, 300)],
            **{**fair, "credits": 300},
        )
    with refused(AUTHORITY):  # at another rate than the bylaws'
        forge_transfer(
            "exchanged",
            authorized_by=economy["eve"],
            lines=[(dave, -300), (erin, 300)],
            **{**fair, "rate": 200, "credits": 300},
        )
    with refused(AUTHORITY):  # issued by the community for a member's own need
        community = ledger.community_account()
        forge_transfer(
            "issued", authorized_by=economy["eve"], lines=[(community, -150), (erin, 150)], **fair
        )
    with refused("two postings that sum to zero"):
        forge_transfer("exchanged", authorized_by=economy["eve"], lines=[(erin, 150)], **fair)
    with refused("a transfer is written as a draft, now"):
        TimeTransfer.objects.create(
            kind="exchanged",
            status="posted",
            contribution=hours,
            month=timezone.now().strftime("%Y-%m"),
            authorized_by=economy["eve"],
            posted_at=timezone.now(),
        )
    with refused("a transfer is written as a draft, now"):  # backdated into another month
        old = timezone.now() - 60 * DAY
        TimeTransfer.objects.create(
            kind="exchanged",
            contribution=hours,
            month=old.strftime("%Y-%m"),
            authorized_by=economy["eve"],
            posted_at=old,
        )
    assert everything() == before


def test_an_exchange_cannot_go_below_the_floor_nor_the_community_beyond_its_cap(economy, refused):
    """Below the services: the floor (-2.00) and the cap (3.00) hold even for
    writes that skip the service's checks."""
    dave, erin = accounts(economy, "eve", "finn")
    community = ledger.community_account()
    bigger = HoursFactory(
        offer=economy["offer"], minutes=150, worked_on=timezone.now().date() - DAY
    )
    before = everything()
    with refused("an exchange cannot take a balance below the bylaws' floor"):
        forge_transfer(
            "exchanged",
            contribution=bigger,
            authorized_by=economy["eve"],
            minutes=150,
            rate=100,
            credits=250,
            lines=[(dave, -250), (erin, 250)],
        )
    many = HoursFactory(
        offer=OfferFactory(need=economy["community"], member=economy["ada"], accepted=True),
        minutes=181,
    )
    with refused("the community cannot issue beyond the bylaws' monthly issuance cap"):
        forge_transfer(
            "issued",
            contribution=many,
            authorized_by=economy["carol"],
            minutes=181,
            rate=100,
            credits=302,
            lines=[(community, -302), (ledger.account_of(economy["ada"]), 302)],
        )
    assert everything()[4:] == before[4:]


def test_posted_transfers_postings_and_entries_never_change(economy, refused):
    services.confirm_contribution(actor=economy["eve"], contribution_id=economy["hours"].pk)
    transfer = TimeTransfer.objects.get()
    posting = transfer.postings.first()
    entry = TimeEntry.objects.get()
    before = everything()
    with refused("a posted transfer never changes"):
        TimeTransfer.objects.filter(pk=transfer.pk).update(credits=10_000)
    with refused("a posted transfer never changes"):
        TimeTransfer.objects.filter(pk=transfer.pk).update(status="draft")
    with refused("transfers are never deleted"):
        raw("DELETE FROM contributions_timetransfer WHERE id = %s", [transfer.pk])
    with refused("postings never change"):
        TimePosting.objects.filter(pk=posting.pk).update(amount=1_000_000)
    with refused("postings never change"):
        TimePosting.objects.filter(pk=posting.pk).delete()
    with refused("postings are added only to a draft transfer"):
        TimePosting.objects.create(transfer=transfer, account=ledger.community_account(), amount=5)
    with refused("chain guard: the time chain is append-only"):
        TimeEntry.objects.filter(seq=entry.seq).update(payload={"forged": True})
    with refused("chain guard: the time chain is append-only"):
        raw("DELETE FROM contributions_timeentry WHERE seq = %s", [entry.seq])
    with refused("a guarded row's key never changes|a posted transfer never changes"):
        TimeTransfer.objects.filter(pk=transfer.pk).update(id=transfer.pk + 100)
    assert everything() == before


def test_only_a_posted_transfer_enters_the_chain_as_itself(economy, attempt, refused):
    hours = economy["hours"]
    with attempt():
        transfer = TimeTransfer.objects.create(
            kind="exchanged",
            contribution=hours,
            month=timezone.now().strftime("%Y-%m"),
            authorized_by=economy["eve"],
            posted_at=timezone.now(),
        )
    before = everything()
    with refused("only a posted transfer enters the time chain"):
        append_to_chain(
            model=TimeEntry,
            kind="time.exchanged",
            actor="",
            payload={"transfer": transfer.pk},
            transfer=transfer,
        )
    assert everything() == before


def test_a_rebate_request_needs_the_bylaws_and_is_used_only_with_its_transfer(
    economy, voters, refused
):
    now = timezone.now()
    with refused("a rebate request is made now, by a member in good standing, while"):
        RebateClaim.objects.create(member=economy["finn"], credits=100, created_at=now)
    adopt_article(economy["alice"], voters, dues_rebate=True, rebate_cents_per_credit=500)
    services.confirm_contribution(actor=economy["eve"], contribution_id=economy["hours"].pk)
    claim = services.claim_rebate(actor=economy["finn"], credits=100)
    erin, community = ledger.account_of(economy["finn"]), ledger.community_account()
    before = [rows(RebateClaim), *everything()]
    with refused("a rebate request is withdrawn, or used with its posted transfer"):
        RebateClaim.objects.filter(pk=claim.pk).update(state="used", decided_at=now)
    with refused("a rebate uses a pending request"):  # the member records their own rebate
        forge_transfer(
            "rebate",
            rebate=claim,
            authorized_by=economy["finn"],
            credits=100,
            lines=[(erin, -100), (community, 100)],
        )
    with refused("a rebate uses a pending request"):  # more than asked for
        forge_transfer(
            "rebate",
            rebate=claim,
            authorized_by=economy["bob"],
            credits=150,
            lines=[(erin, -150), (community, 150)],
        )
    with refused("rebate requests are never deleted"):
        raw("DELETE FROM contributions_rebateclaim WHERE id = %s", [claim.pk])
    assert [rows(RebateClaim), *everything()] == before


def test_the_admin_writes_nothing(economy, client):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password")
    client.force_login(root)
    need = economy["need"]
    before = everything()
    for path in (
        f"/admin/contributions/need/{need.pk}/change/",
        f"/admin/contributions/need/{need.pk}/delete/",
        "/admin/contributions/timetransfer/add/",
        f"/admin/contributions/contribution/{economy['hours'].pk}/change/",
    ):
        response = client.post(path, {"title": "Owned", "post": "yes"})
        assert response.status_code == 403, path
    assert client.get(f"/admin/contributions/need/{need.pk}/change/").status_code == 200
    assert everything() == before
