"""The debate without JavaScript: pages, plain form posts, moderation forms."""

import pytest
from django.urls import reverse

from debates import services
from debates.models import Argument
from tests.proposals.helpers import draft

pytestmark = pytest.mark.django_db


def post_url(proposal):
    return reverse("debates:post", args=[proposal.pk])


def test_anyone_reads_the_debate_page(client, community, proposal):
    services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="**Shade**", stance="pro"
    )
    response = client.get(reverse("debates:debate", args=[proposal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Shade</strong>" in html
    assert f'data-ws-path="/ws/proposals/{proposal.pk}/"' in html
    assert 'data-last-seq="2"' in html  # its submission, then the argument
    assert "debates/debate.js" in html
    assert f'action="{post_url(proposal)}"' not in html  # no post form for visitors


def test_a_draft_debate_is_not_public(client, community):
    secret = draft(community["alice"], title="Secret", body="b")
    assert client.get(reverse("debates:debate", args=[secret.pk])).status_code == 404
    client.force_login(community["alice"])
    assert client.get(reverse("debates:debate", args=[secret.pk])).status_code == 200


def test_member_posts_with_a_plain_form_and_returns_to_the_proposal(client, community, proposal):
    client.force_login(community["bob"])
    response = client.post(post_url(proposal), {"stance": "question", "body": "How much?"})
    argument = Argument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk]) + (
        f"#argument-{argument.pk}"
    )
    assert argument.stance == "question"


def test_plain_form_returns_to_the_page_it_came_from(client, community, proposal):
    client.force_login(community["bob"])
    page = reverse("debates:debate", args=[proposal.pk])
    response = client.post(post_url(proposal), {"stance": "pro", "body": "Yes", "next": page})
    assert response["Location"].startswith(page + "#argument-")


def test_plain_form_never_redirects_off_site(client, community, proposal):
    client.force_login(community["bob"])
    response = client.post(
        post_url(proposal), {"stance": "pro", "body": "Yes", "next": "https://evil.example/"}
    )
    assert response["Location"].startswith(reverse("proposals:detail", args=[proposal.pk]))


def test_refused_post_shows_the_reason_and_keeps_the_text(client, community, proposal):
    client.force_login(community["bob"])
    response = client.post(post_url(proposal), {"stance": "", "body": "My careful text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose whether your argument is for, against or a question." in html
    assert "My careful text" in html
    assert not Argument.objects.exists()


def test_non_member_post_is_refused(client, outsider, proposal):
    client.force_login(outsider)
    response = client.post(post_url(proposal), {"stance": "pro", "body": "Hello"})
    assert response.status_code == 403
    assert not Argument.objects.exists()


def test_visitor_post_goes_to_login(client, proposal):
    response = client.post(post_url(proposal), {"stance": "pro", "body": "Hello"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Argument.objects.exists()


def test_steward_hides_with_a_form_and_everyone_sees_the_notice(client, community, proposal):
    argument = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="buy pills", stance="pro"
    )
    client.force_login(community["carol"])
    response = client.post(reverse("debates:hide", args=[argument.pk]), {"reason": "Advertising"})
    assert response.status_code == 302
    client.logout()
    html = client.get(reverse("debates:debate", args=[proposal.pk])).content.decode()
    assert "Hidden by carol. Reason: Advertising" in html
    assert "buy pills" not in html


def test_moderation_log_is_public(client, community, proposal):
    argument = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="buy pills", stance="pro"
    )
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Advertising")
    response = client.get(reverse("debates:moderation_log"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Advertising" in html and "carol" in html
    assert f"#argument-{argument.pk}" in html


def test_edit_history_is_visible_to_everyone(client, community, proposal):
    argument = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="first words", stance="pro"
    )
    client.force_login(community["bob"])
    client.post(reverse("debates:edit", args=[argument.pk]), {"body": "better words"})
    client.logout()
    html = client.get(reverse("debates:debate", args=[proposal.pk])).content.decode()
    assert "better words" in html
    assert "first words" in html
    assert "Edit history (2 versions)" in html


def test_panel_renders_threads_in_a_fixed_number_of_queries(
    client, community, proposal, django_assert_max_num_queries
):
    for number in range(5):
        root = services.post_argument(
            actor=community["bob"], proposal_id=proposal.pk, body=f"root {number}", stance="pro"
        )
        services.post_argument(
            actor=community["ada"], proposal_id=proposal.pk, body="reply", parent_id=root.pk
        )
    client.force_login(community["carol"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("debates:debate", args=[proposal.pk]))
    assert response.content.decode().count('class="argument ') == 10


def test_proposal_page_carries_the_live_debate_panel(client, community, proposal):
    services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="On the proposal page", stance="pro"
    )
    client.force_login(community["ada"])
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="debate"' in html
    assert "On the proposal page" in html
    assert f'action="{post_url(proposal)}"' in html


# --- Words and flows (issue 14.5) -------------------------------------------


def test_no_reply_is_offered_under_a_hidden_message_or_in_its_thread(client, community, proposal):
    hidden = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="buy pills", stance="pro"
    )
    inside = services.post_argument(
        actor=community["ada"], proposal_id=proposal.pk, body="No thanks", parent_id=hidden.pk
    )
    visible = services.post_argument(
        actor=community["ada"], proposal_id=proposal.pk, body="Good idea", stance="pro"
    )
    services.hide_argument(actor=community["carol"], argument_id=hidden.pk, reason="Spam")
    client.force_login(community["alice"])
    html = client.get(reverse("debates:debate", args=[proposal.pk])).content.decode()
    assert f'id="reply-body-{hidden.pk}"' not in html
    assert f'id="reply-body-{inside.pk}"' not in html  # a reply there would join the hidden thread
    assert f'id="reply-body-{visible.pk}"' in html
    # The service agrees: the thread is closed to replies.
    response = client.post(post_url(proposal), {"body": "Me too", "parent": inside.pk})
    assert response.status_code == 409


def test_a_message_over_10_kb_gets_the_same_clear_error_with_or_without_javascript(
    client, community, proposal
):
    client.force_login(community["bob"])
    message = services.too_long_message()
    assert message == "A message can be at most 10 KB long."
    page = client.get(reverse("debates:debate", args=[proposal.pk])).content.decode()
    assert 'data-max-bytes="10240"' in page  # the page checks bytes, as the service does
    assert f'"too_long": "{message}"' in page  # …and says it with the service's words
    assert 'maxlength="10240"' not in page  # no silent cut of a pasted text
    # 10 KB of text in characters, but more in bytes: the server counts bytes.
    body = "é" * 5200
    response = client.post(post_url(proposal), {"stance": "pro", "body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(message) == 2  # the form's error, and the script's copy of the words
    assert body in html  # the text is kept
    assert not Argument.objects.exists()


def test_the_reply_action_is_a_verb_in_french(client, community, proposal):
    services.post_argument(actor=community["bob"], proposal_id=proposal.pk, body="x", stance="pro")
    client.force_login(community["carol"])
    page = client.get(
        reverse("debates:debate", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "<summary>Répondre</summary>" in page


def test_a_decided_proposal_shows_its_final_tally_not_a_running_one(client, community):
    from tests.proposals.helpers import hold_vote

    voters = list(community.values())
    proposal = hold_vote(draft(community["alice"], title="Paint the hall"), yes=voters)
    page = client.get(reverse("debates:debate", args=[proposal.pk])).content.decode()
    assert "Final tally:" in page and "Running tally:" not in page
