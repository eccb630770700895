from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_chain_heads(sender, using="default", **kwargs) -> None:
    """Every hash chain starts with a head at seq 0 (after `migrate`, and after
    the test suite's flush)."""
    from governance.chain import GENESIS_PREV
    from governance.models import ChainHead
    from governance.triggers import chains

    for model in chains():
        ChainHead.objects.using(using).get_or_create(
            name=model.chain_name, defaults={"seq": 0, "hash": GENESIS_PREV}
        )


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        post_migrate.connect(create_chain_heads, sender=self, dispatch_uid="governance.heads")
