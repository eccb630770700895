from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DebatesConfig(AppConfig):
    name = "debates"
    verbose_name = _("Debates")

    def ready(self) -> None:
        from debates import journal_text  # noqa: F401  (the journal's sentences)
        from debates.panels import DEBATE_PANEL
        from debates.selectors import debate_data_for_export
        from members.exports import register_section
        from proposals.panels import register_panel

        register_panel(DEBATE_PANEL)
        register_section(debate_data_for_export)

        from debates.dashboard import SECTION
        from members.dashboard import register_section as register_dashboard_section

        register_dashboard_section(SECTION)
