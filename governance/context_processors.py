from django.utils.functional import SimpleLazyObject

from governance import selectors


def journal_head(request):
    """Every page shows the journal head, so readers can save checkpoints
    (read once per request, however many templates render)."""

    def head() -> dict:
        cached = getattr(request, "_commons_journal_head", None)
        if cached is None:
            seq, head_hash = selectors.journal_head()
            cached = request._commons_journal_head = {"seq": seq, "hash": head_hash}
        return cached

    return {
        "journal_head": SimpleLazyObject(head),
        "community_name": SimpleLazyObject(selectors.community_name),
    }
