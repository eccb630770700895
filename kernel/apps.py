from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The shared kernel: domain errors, the hash chain, the database guards and
    their clock. Every other app builds on it; it imports none of them."""

    name = "kernel"
    verbose_name = _("Kernel")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate
        from django.urls import register_converter

        from kernel import chains, checks, clock, guards  # noqa: F401 (checks register themselves)
        from kernel.ids import IdConverter

        # `<id:pk>` in every app's URLs: numbers a database cannot hold are a 404.
        register_converter(IdConverter, "id")

        connection_created.connect(clock.on_connection_created, dispatch_uid="kernel.clock")
        # Guards are code, like views: every `migrate` (and every test flush)
        # ends with exactly the guards that the code defines.
        post_migrate.connect(guards.on_post_migrate, sender=self, dispatch_uid="kernel.guards")
        post_migrate.connect(chains.create_heads, sender=self, dispatch_uid="kernel.heads")
