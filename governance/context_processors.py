from governance import selectors


def journal_head(request):
    """Every page shows the journal head, so readers can save checkpoints."""
    seq, head_hash = selectors.journal_head()
    return {
        "journal_head": {"seq": seq, "hash": head_hash},
        "community_name": selectors.community_name(),
    }
