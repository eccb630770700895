"""The hash chains' fields and heads. Each concrete chain (the governance
journal, the ledger, the time ledger…) is a subclass of `ChainedEntry` in
its own app; `kernel/chains.py` appends to them, `kernel/triggers.py` guards
them, and `kernel/chain.py` holds the rule auditors verify."""

from __future__ import annotations

from django.db import models


class ChainedEntry(models.Model):
    """Fields of an entry in a hash chain; the rule is in `kernel/chain.py`.

    Each concrete chain names itself in `chain_name`; its `ChainHead` row has
    that name. The guards find every chain through this class."""

    chain_name: str = ""

    seq = models.PositiveBigIntegerField(primary_key=True)
    at = models.CharField(max_length=40)  # UTC ISO 8601, exactly as hashed
    kind = models.CharField(max_length=64)
    actor = models.CharField(max_length=150, blank=True)
    payload = models.JSONField()
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
        ordering = ["seq"]

    def as_export(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor,
            "payload": self.payload,
            "prev": self.prev,
            "hash": self.hash,
        }


class ChainHead(models.Model):
    """The latest (seq, hash) of each chain; locked to serialize appends."""

    name = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        # The table of its first home, the governance app.
        db_table = "governance_chainhead"

    def __str__(self) -> str:
        return f"{self.name} {self.seq}:{self.hash[:12]}"
