from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    """Needs and offers, the contribution record and the public time ledger.

    It plugs into the apps below it through their registries: the bylaws'
    Contributions article (`governance.parameters`), the personal-data
    export (`members.exports`), the members' dashboard (`members.dashboard`),
    the daily digest (`proposals.services.notifications`) and the journal's
    sentences (`governance.journal_text`)."""

    name = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from contributions import (
            journal_text,  # noqa: F401  (the journal's sentences)
            profile,
        )
        from contributions.dashboard import SECTION
        from contributions.exports import contributions_export, digest_lines
        from contributions.parameters import DECLARATION
        from governance.parameters import register_article
        from members.dashboard import register_section as register_dashboard_section
        from members.exports import register_section
        from members.profiles import register_profile_section
        from proposals.services.notifications import register_digest_section

        register_article(DECLARATION)
        register_section(contributions_export)
        register_dashboard_section(SECTION)
        register_profile_section(profile.SECTION)
        register_digest_section(digest_lines)
