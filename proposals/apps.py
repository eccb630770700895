from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from members.exports import register_section
        from proposals import journal_text  # noqa: F401  (the journal's sentences)
        from proposals.selectors import member_data_for_export

        register_section(member_data_for_export)

        from members.dashboard import register_section as register_dashboard_section
        from proposals.dashboard import SECTIONS

        for section in SECTIONS:
            register_dashboard_section(section)
