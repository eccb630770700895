"""Atom feed of journal heads: feed readers keep checkpoints off the server.

Each item is one journal entry and names the head `seq:hash` after it. A
reader that saved an item can later pass it to `chain.py verify
--expect-head` to prove the history was neither cut nor rewritten."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from governance import selectors

FEED_ITEMS = 50


class JournalHeadsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("%(community)s governance journal heads") % {
            "community": selectors.community_name()
        }

    def subtitle(self):
        return _(
            "Each entry names the journal head (seq:hash) after it. Save it, and check a later "
            "export with: python chain.py verify export.jsonl --expect-head SEQ:HASH"
        )

    def link(self):
        return reverse("governance:audit")

    def feed_guid(self):
        return "urn:commons:governance-journal"

    def items(self):
        return selectors.recent_journal_entries(FEED_ITEMS)

    def item_title(self, item):
        return f"{item.seq}:{item.hash}"

    def item_description(self, item):
        return _("Journal entry #%(seq)s (%(kind)s) at %(at)s. Head: %(seq)s:%(hash)s") % {
            "seq": item.seq,
            "kind": item.kind,
            "at": item.at,
            "hash": item.hash,
        }

    def item_link(self, item):
        return f"{reverse('governance:journal')}?until={item.seq}#seq-{item.seq}"

    def item_guid(self, item):
        return f"urn:commons:governance-journal:{item.seq}:{item.hash}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return datetime.fromisoformat(item.at.replace("Z", "+00:00"))

    def item_updateddate(self, item):
        return self.item_pubdate(item)

    def item_author_name(self, item):
        return item.actor or None
