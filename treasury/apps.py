from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def open_standard_accounts(sender, using="default", **kwargs) -> None:
    """The chart of accounts and the general fund exist in every treasury
    (after `migrate`, and after the test suite's flush)."""
    # Imported here: models cannot be imported before the app registry is ready.
    from treasury.chart_of_accounts import GENERAL_FUND, STANDARD_ACCOUNTS
    from treasury.models import Account, Fund

    for code, name, kind in STANDARD_ACCOUNTS:
        Account.objects.using(using).get_or_create(code=code, defaults={"name": name, "type": kind})
    Fund.objects.using(using).get_or_create(
        slug=GENERAL_FUND["slug"],
        defaults={k: v for k, v in GENERAL_FUND.items() if k != "slug"},
    )


class TreasuryConfig(AppConfig):
    name = "treasury"
    verbose_name = _("Treasury")

    def ready(self) -> None:
        from treasury import journal_text  # noqa: F401  (the journal's sentences)

        post_migrate.connect(open_standard_accounts, sender=self, dispatch_uid="treasury.accounts")

        from members.dashboard import register_section
        from treasury.dashboard import SECTION

        register_section(SECTION)
