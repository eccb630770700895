"""Community-wide roles. `RoleAssignment` is their only record: a person holds
a role while an assignment is active and they are in good standing.

Founders hold no governance power: the role only records who founded the
community. Stewards moderate, treasurers keep the books, auditors read
everything and attest the ledger.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    STEWARD = "steward", _("Steward")
    TREASURER = "treasurer", _("Treasurer")
    AUDITOR = "auditor", _("Auditor")


# Roles that the community appoints and removes under the bylaws' appointment
# rule. The founder role is given once, by the founding act, and means nothing.
APPOINTED_ROLES = (Role.STEWARD, Role.TREASURER, Role.AUDITOR)
