"""All models, importable from one place (Alembic's env reads Base.metadata from here)."""

from storage.models.admin import AdminUser, LoginFailure
from storage.models.base import Base, utcnow
from storage.models.contact import (
    CHANNELS,
    NEED_CATEGORIES,
    NEED_STATUSES,
    OPEN_NEED_STATUSES,
    STATUSES,
    ContactDates,
    ContactRecord,
    Need,
    NeedNote,
)
from storage.models.lookup import install as _install_lookups
from storage.models.official import JURISDICTION, PAIRING, RANKS, ROLES, Assignment, Official
from storage.models.outbox import AuditLog, OutboxMessage
from storage.models.person import (
    DISABILITY_CATEGORIES,
    HARDSHIP_FLAGS,
    Guardian,
    Person,
    PersonGuardian,
)
from storage.models.region import COUNTY, TOWNSHIP, VILLAGE, Region
from storage.models.wechat import (
    BindFailure,
    BindingCode,
    ConversationState,
    HouseholdBinding,
    InboundMessage,
    OfficialBinding,
    SharedValue,
)

_install_lookups()

__all__ = [
    "CHANNELS",
    "COUNTY",
    "DISABILITY_CATEGORIES",
    "HARDSHIP_FLAGS",
    "JURISDICTION",
    "NEED_CATEGORIES",
    "NEED_STATUSES",
    "OPEN_NEED_STATUSES",
    "PAIRING",
    "RANKS",
    "ROLES",
    "STATUSES",
    "TOWNSHIP",
    "VILLAGE",
    "AdminUser",
    "Assignment",
    "AuditLog",
    "Base",
    "BindFailure",
    "BindingCode",
    "ContactDates",
    "ContactRecord",
    "ConversationState",
    "Guardian",
    "HouseholdBinding",
    "InboundMessage",
    "LoginFailure",
    "Need",
    "NeedNote",
    "Official",
    "OfficialBinding",
    "OutboxMessage",
    "Person",
    "PersonGuardian",
    "Region",
    "SharedValue",
    "utcnow",
]
