"""Choices of the organisation app. Stored values never change once shipped."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """The four tiers (区 → 街道 → 社区 → 社会主体) plus functional departments (职能部门)."""

    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    SOCIAL_ENTITY = "social_entity", _("Social entity")
    DEPARTMENT = "department", _("Functional department")


class EntityKind(models.TextChoices):
    """Kinds of social entity (社会主体) that hold responsibility zones."""

    PROPERTY_MANAGER = "property_manager", _("Property manager")
    SHOP = "shop", _("Shop (frontage responsibility)")
    SANITATION_CONTRACTOR = "sanitation_contractor", _("Sanitation contractor")
    MARKET = "market", _("Market")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class DepartmentFunction(models.TextChoices):
    """What a functional department does; the category catalogue names a function, not a unit."""

    URBAN_MANAGEMENT = "urban_management", _("Urban management")
    ENFORCEMENT = "enforcement", _("Law enforcement")
    SANITATION = "sanitation", _("Sanitation")
    GREENING = "greening", _("Parks and greening")
    HOUSING = "housing", _("Housing and construction")
    TRANSPORT = "transport", _("Transport")
    WATER = "water", _("Water")
    POWER = "power", _("Power supply")
    TELECOM = "telecom", _("Telecommunications")
    GAS = "gas", _("Gas")
    PUBLIC_SECURITY = "public_security", _("Public security and traffic police")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    ECOLOGY = "ecology", _("Ecology and environment")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """The roles of PRODUCT.md. Citizens have no account and so no role."""

    INSPECTOR = "inspector", _("Inspector")
    ACCEPTOR = "acceptor", _("Acceptor")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SHIFT_LEADER = "shift_leader", _("Shift leader")
    HANDLER = "handler", _("Handling unit staff")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("Enforcement officer")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which roles a user may hold in a unit of each kind. The district's command centre holds the
# acceptors, dispatchers and shift leaders; streets run their own dispatch sub-centre and
# enforcement team; communities and social entities handle and report.
ROLES_BY_UNIT_KIND: dict[str, tuple[str, ...]] = {
    UnitKind.DISTRICT: tuple(Role.values),
    UnitKind.STREET: (
        Role.INSPECTOR,
        Role.DISPATCHER,
        Role.HANDLER,
        Role.ENFORCEMENT_OFFICER,
        Role.LEADER,
    ),
    UnitKind.COMMUNITY: (Role.INSPECTOR, Role.HANDLER, Role.LEADER),
    UnitKind.SOCIAL_ENTITY: (Role.HANDLER,),
    UnitKind.DEPARTMENT: (Role.HANDLER, Role.LEADER),
}

# Which kind of unit may sit directly under which.
PARENT_KIND: dict[str, tuple[str, ...]] = {
    UnitKind.DISTRICT: (),
    UnitKind.STREET: (UnitKind.DISTRICT,),
    UnitKind.COMMUNITY: (UnitKind.STREET,),
    UnitKind.SOCIAL_ENTITY: (UnitKind.COMMUNITY, UnitKind.STREET),
    UnitKind.DEPARTMENT: (UnitKind.DISTRICT, UnitKind.STREET),
}
